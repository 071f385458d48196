package io.memfleet.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A process {@code memfleet up} keeps running in the background besides Kafka and ClickHouse: the
 * pipeline, a collector, a demo app.
 *
 * @param name short name, also the name of its pid and log files
 * @param command the full command line
 * @param environment extra environment variables
 * @param workDir its working directory
 */
record BackgroundService(String name, List<String> command, Map<String, String> environment,
    Path workDir) {

  /** A subcommand of this very launcher ({@code memfleet <args>}) in a JVM of its own. */
  static BackgroundService memfleet(String name, String heap, List<String> args, Path workDir) {
    List<String> command = new java.util.ArrayList<>(List.of(javaBinary(), "-Xmx" + heap,
        "-cp", System.getProperty("java.class.path"), Memfleet.class.getName()));
    command.addAll(args);
    return new BackgroundService(name, command, Map.of(), workDir);
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
