package io.memfleet.launcher;

import io.memfleet.localstack.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The background processes of the local stack besides Kafka and ClickHouse, tracked through pid
 * files under {@code <home>/run} so that {@code status} and {@code down} (other JVMs) find them.
 */
final class LocalFleet {
  private final Path runDir;
  private final Path logDir;

  LocalFleet(Path home) {
    this.runDir = home.resolve("run");
    this.logDir = home.resolve("logs");
  }

  Path logOf(String name) {
    return logDir.resolve(name + ".log");
  }

  Optional<ChildProcess> running(String name) {
    return ChildProcess.fromPidFile(runDir.resolve(name + ".pid"), logOf(name));
  }

  /** Starts the service unless it runs already; either way returns its process. */
  Started start(BackgroundService service) throws IOException {
    Optional<ChildProcess> existing = running(service.name());
    if (existing.isPresent()) {
      return new Started(existing.get(), false);
    }
    Files.createDirectories(runDir);
    Files.createDirectories(logDir);
    ChildProcess p = ChildProcess.start(service.command(), logOf(service.name()),
        runDir.resolve(service.name() + ".pid"), true, service.environment(), service.workDir());
    return new Started(p, true);
  }

  /** A service's process and whether this call started it (false: it was running). */
  record Started(ChildProcess process, boolean fresh) {}

  /** Names of every service with a pid file, running or not. */
  List<String> known() throws IOException {
    if (!Files.isDirectory(runDir)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(runDir)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pid"))
          .map(n -> n.substring(0, n.length() - 4)).sorted().forEach(names::add);
    }
    return names;
  }

  /** Stops every known service; returns one line per service for the user. */
  List<String> stopAll() throws IOException {
    List<String> report = new ArrayList<>();
    for (String name : known()) {
      Optional<ChildProcess> p = running(name);
      if (p.isPresent()) {
        long pid = p.get().pid();
        boolean killed = p.get().stop(Duration.ofSeconds(20));
        report.add(name + ": stopped (pid " + pid + (killed ? ", had to be killed" : "") + ")");
      } else {
        Files.deleteIfExists(runDir.resolve(name + ".pid"));
      }
    }
    return report;
  }
}
