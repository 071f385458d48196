package io.memfleet.launcher;

import io.memfleet.collector.jfr.JfrSettings;
import io.memfleet.collector.jfr.attach.RecordingControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code memfleet down}: stops what {@code up} started (found through the pid files), and
 * memfleet's JFR recording in the JVMs its collector attached to.
 */
@Command(name = "down", mixinStandardHelpOptions = true,
    description = "Stop the local stack's processes. Data stays unless --purge is given.")
final class DownCommand implements Callable<Integer> {
  @Mixin StackOptions stack;

  @Option(names = "--purge", description = "Also delete the work directory (all local data).")
  boolean purge;

  @Override
  public Integer call() throws IOException {
    // the pipeline, collectors and demos first, then Kafka, then ClickHouse (the last to lose writes)
    new LocalFleet(stack.home).stopAll().forEach(System.out::println);
    // the node collector attaches to every JVM it finds; their recordings outlive it
    List<Integer> detached = RecordingControl.builder().settings(JfrSettings.defaults()).build()
        .stopAttached(Path.of("/proc"));
    if (!detached.isEmpty()) {
      System.out.println("memfleet's JFR recording stopped in " + detached.size() + " JVM(s): "
          + detached);
    }
    DemoFleet.removeDemoCgroups().forEach(c -> System.out.println("removed cgroup " + c));
    stop("Kafka broker", stack.kafka().running());
    stop("ClickHouse server", stack.clickHouse().running());
    if (purge && Files.isDirectory(stack.home)) {
      deleteTree(stack.home);
      System.out.println("deleted " + stack.home.toAbsolutePath());
    }
    return 0;
  }

  private static void stop(String what, java.util.Optional<io.memfleet.localstack.ChildProcess> p) {
    if (p.isEmpty()) {
      System.out.println(what + ": not running");
      return;
    }
    long pid = p.get().pid();
    boolean killed = p.get().stop(java.time.Duration.ofSeconds(30));
    System.out.println(what + ": stopped (pid " + pid + (killed ? ", had to be killed" : "") + ")");
  }

  /** Deletes {@code dir} and everything under it. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
