package io.memfleet.pipeline.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of a JobManager or TaskManager JVM as Flink's start scripts build it: java, the
 * memory flags computed from the configuration, the JVM options of Flink's distribution, the entry
 * point with {@code --configDir}, and the derived memory sizes as {@code -D key=value}.
 */
final class FlinkCommand {
  /** Log4j configuration in the configuration directory: everything to stdout, the log file. */
  static final String LOG4J_FILE = "log4j-console.properties";

  /**
   * What the Flink distribution's {@code config.yaml} sets as {@code env.java.opts.all} for Java
   * 17: Flink reflects into these JDK packages (Kryo, the network stack, the RPC system).
   */
  private static final List<String> JAVA_17_OPTIONS = java17Options();

  /**
   * C1 only, as the test Kafka brokers: most of a JVM's start-up is JIT compilation, and the few
   * thousand records a fault test sends do not need C2's code. A throughput measurement does, and
   * asks for the JVM's default (C1 then C2).
   */
  private static final List<String> C1_ONLY = List.of("-XX:TieredStopAtLevel=1");

  private FlinkCommand() {}

  /**
   * @param jvmMemory the flags of {@code ProcessMemoryUtils.generateJvmParametersStr}
   * @param dynamicConfigs the {@code -D key=value} list of {@code generateDynamicConfigsStr}
   * @param c1Only stop the JIT at C1 (quick start) instead of the JVM's default tiers
   */
  static List<String> of(String jvmMemory, String mainClass, Path confDir, String classpath,
      String dynamicConfigs, boolean c1Only) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(jvmMemory.trim().split("\\s+")));
    command.addAll(JAVA_17_OPTIONS);
    if (c1Only) {
      command.addAll(C1_ONLY);
    }
    command.add("-Dlog4j.configurationFile=" + confDir.resolve(LOG4J_FILE).toUri());
    command.addAll(List.of("-cp", classpath, mainClass, "--configDir", confDir.toString()));
    command.addAll(Arrays.asList(dynamicConfigs.trim().split("\\s+")));
    return command;
  }

  private static List<String> java17Options() {
    List<String> options = new ArrayList<>();
    for (String p : List.of("java.base/sun.net.util", "java.rmi/sun.rmi.registry",
        "java.security.jgss/sun.security.krb5")) {
      options.add("--add-exports=" + p + "=ALL-UNNAMED");
    }
    for (String p : List.of("java.lang", "java.net", "java.io", "java.nio", "sun.nio.ch",
        "java.lang.reflect", "java.text", "java.time", "java.util", "java.util.concurrent",
        "java.util.concurrent.atomic", "java.util.concurrent.locks")) {
      options.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
    }
    return List.copyOf(options);
  }
}
