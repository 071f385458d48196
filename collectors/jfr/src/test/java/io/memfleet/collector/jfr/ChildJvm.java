package io.memfleet.collector.jfr;

import io.memfleet.collector.jfr.testing.LeakyCacheApp;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A demo app (the demo jar) or a test fixture app ({@link LeakyCacheApp}, in this module's test
 * classes) in a child JVM, with its output in files; always killed by close().
 */
final class ChildJvm implements AutoCloseable {
  final Process process;
  final Path out;
  final Path err;

  private ChildJvm(Process process, Path out, Path err) {
    this.process = process;
    this.out = out;
    this.err = err;
  }

  static String agentJar() {
    return requiredFile("memfleet.agent.jar");
  }

  static String demoJar() {
    return requiredFile("memfleet.demo.jar");
  }

  /** The demo jar, then the test classes that hold the fixture apps. */
  static String classPath() {
    try {
      return demoJar() + File.pathSeparator + Path.of(LeakyCacheApp.class.getProtectionDomain()
          .getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("test classes location", e);
    }
  }

  private static String requiredFile(String property) {
    String path = System.getProperty(property);
    if (path == null || !Files.isRegularFile(Path.of(path))) {
      throw new IllegalStateException(property + " (" + path + ") missing: run through"
          + " `mvn verify`, which packages it before the integration tests");
    }
    return path;
  }

  static ChildJvm start(Path dir, List<String> jvmFlags, String mainClass, String... args)
      throws IOException {
    return start(dir, jvmFlags, Map.of(), mainClass, args);
  }

  /** As {@link #start(Path, List, String, String...)}, with these environment variables added. */
  static ChildJvm start(Path dir, List<String> jvmFlags, Map<String, String> env,
      String mainClass, String... args) throws IOException {
    return start(Path.of(System.getProperty("java.home")), dir, jvmFlags, env, mainClass, args);
  }

  /** As {@link #start(Path, List, Map, String, String...)}, on the JDK at {@code javaHome}. */
  static ChildJvm start(Path javaHome, Path dir, List<String> jvmFlags, Map<String, String> env,
      String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaHome.resolve("bin").resolve("java").toString());
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    Files.createDirectories(dir);
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    return new ChildJvm(p, out, err);
  }

  String stdout() throws IOException {
    return Files.readString(out);
  }

  String stderr() throws IOException {
    return Files.readString(err);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
