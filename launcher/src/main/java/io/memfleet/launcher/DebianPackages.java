package io.memfleet.launcher;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Installs missing Debian packages with apt-get, for `memfleet up` on a fresh machine. */
final class DebianPackages {
  private DebianPackages() {}

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Runs {@code apt-get update} then {@code apt-get install -y packages}, output to the terminal. */
  static void install(List<String> packages) throws IOException, InterruptedException {
    run(List.of("apt-get", "update", "-q"));
    List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "-q",
        "--no-install-recommends"));
    install.addAll(packages);
    run(install);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    int exit = pb.start().waitFor();
    if (exit != 0) {
      throw new IOException(String.join(" ", command) + " failed with exit code " + exit);
    }
  }
}
