package io.memfleet.launcher;

import io.memfleet.scenarios.ScenarioBuilds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Go and a C program memfleet has never seen — not of the scenario corpus, no label, no
 * flag — written into a directory and built there, as a user's own programs would be. Each
 * takes 1 MiB every 250 ms up to 64 MiB, touches it (so it is resident) and then keeps running,
 * idle.
 *
 * <pre>{@code
 * Path go = UnseenPrograms.buildGo(dir);   // dir/unseen-go
 * Path c = UnseenPrograms.buildC(dir);     // dir/unseen-c
 * }</pre>
 *
 * <p>The tools are found as {@link ScenarioBuilds} finds them; the caller checks they are there.
 */
final class UnseenPrograms {
  private static final String GO_SOURCE = """
      package main

      import "time"

      func main() {
        var held [][]byte
        for {
          if len(held) < 64 {
            b := make([]byte, 1<<20)
            for i := 0; i < len(b); i += 4096 {
              b[i] = 1
            }
            held = append(held, b)
          }
          time.Sleep(250 * time.Millisecond)
        }
      }
      """;

  private static final String C_SOURCE = """
      #include <stdlib.h>
      #include <string.h>
      #include <unistd.h>

      static char *held[64];

      int main(void) {
        for (int i = 0;; i++) {
          if (i < 64) {
            held[i] = malloc(1 << 20);
            memset(held[i], 1, 1 << 20);
          }
          usleep(250000);
        }
      }
      """;

  private UnseenPrograms() {}

  /** Writes {@code dir/unseen-go.go} and builds {@code dir/unseen-go} with {@code go build}. */
  static Path buildGo(Path dir) throws IOException, InterruptedException {
    Path source = write(dir, "unseen-go.go", GO_SOURCE);
    Path binary = dir.resolve("unseen-go");
    ProcessBuilder go = new ProcessBuilder(tool("go"), "build", "-o", binary.toString(),
        source.toString()).directory(dir.toFile());
    // one file outside any module, offline, as ScenarioBuilds builds the corpus
    go.environment().putAll(Map.of("GO111MODULE", "off", "GOPROXY", "off",
        "GOTOOLCHAIN", "local", "CGO_ENABLED", "0"));
    go.environment().remove("GOFLAGS");
    String home = System.getenv("HOME");
    if (System.getenv("GOCACHE") == null && (home == null || !Files.isWritable(Path.of(home)))) {
      go.environment().put("GOCACHE", dir.resolve(".go-cache").toString());
    }
    build(go);
    return binary;
  }

  /** Writes {@code dir/unseen-c.c} and builds {@code dir/unseen-c} with {@code gcc}. */
  static Path buildC(Path dir) throws IOException, InterruptedException {
    Path source = write(dir, "unseen-c.c", C_SOURCE);
    Path binary = dir.resolve("unseen-c");
    build(new ProcessBuilder(List.of(tool("gcc"), "-O1", "-o", binary.toString(),
        source.toString())).directory(dir.toFile()));
    return binary;
  }

  private static Path write(Path dir, String name, String text) throws IOException {
    Files.createDirectories(dir);
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private static String tool(String name) throws IOException {
    return ScenarioBuilds.findTool(name).orElseThrow(() -> new IOException("no " + name
        + " on PATH")).toString();
  }

  private static void build(ProcessBuilder pb) throws IOException, InterruptedException {
    Path log = Files.createTempFile(pb.directory().toPath(), ".build", ".log");
    Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        throw new IOException(String.join(" ", pb.command()) + " did not finish in 2 min");
      }
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", pb.command()) + " failed: "
            + Files.readString(log, StandardCharsets.UTF_8));
      }
    } finally {
      p.destroyForcibly();
    }
  }
}
