package io.memfleet.probe;

import io.memfleet.probe.testing.GatewayLeak;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link GatewayLeak} in a child JVM that records JFR into its own directory: its pid, its
 * "kept" lines (buffers leaked so far, by time), its stderr, its recording. Always killed by
 * {@link #close()}.
 */
final class GatewayLeakRun implements AutoCloseable {
  static final long BUFFER_BYTES = 64 * 1024;

  final Path dir;
  final Path recording;
  private final Process process;
  private final Path stopFile;
  private final Path stderr;
  private final CompletableFuture<Long> pid = new CompletableFuture<>();
  /** Buffers kept, by the child's wall clock (epoch millis). */
  private final NavigableMap<Long, Integer> keptAt = new ConcurrentSkipListMap<>();

  private GatewayLeakRun(Path dir, Process process) {
    this.dir = dir;
    this.recording = dir.resolve("rec.jfr");
    this.process = process;
    this.stopFile = dir.resolve("stop");
    this.stderr = dir.resolve("stderr.txt");
    Thread reader = new Thread(this::readStdout, "gateway-leak-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** The probe jar that {@code mvn verify} packaged before the integration tests. */
  static String probeJar() {
    String jar = System.getProperty("memfleet.probe.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("memfleet.probe.jar (" + jar + ") missing: run through"
          + " `mvn verify`, which packages the probe before the integration tests");
    }
    return jar;
  }

  static GatewayLeakRun start(Path javaHome, Path dir, Duration maxRun, List<String> extraFlags)
      throws IOException {
    Path recording = dir.resolve("rec.jfr");
    List<String> command = new ArrayList<>(List.of(
        javaHome.resolve("bin/java").toString(),
        "-Xmx64m", "-Xmn8m", "-XX:MaxDirectMemorySize=64m",
        "-XX:StartFlightRecording=filename=" + recording + ",dumponexit=true"));
    command.addAll(extraFlags);
    command.addAll(List.of("-cp", testClasses(), GatewayLeak.class.getName(),
        Long.toString(maxRun.toSeconds()), dir.resolve("stop").toString()));
    Process process = new ProcessBuilder(command)
        .redirectError(dir.resolve("stderr.txt").toFile())
        .start();
    return new GatewayLeakRun(dir, process);
  }

  long pid() throws Exception {
    return pid.get(30, TimeUnit.SECONDS);
  }

  /** Buffers the child had leaked at {@code time} (its last "kept" line before then). */
  int keptAt(Instant time) {
    var entry = keptAt.floorEntry(time.toEpochMilli());
    return entry == null ? 0 : entry.getValue();
  }

  /** Asks the child to finish and waits for its exit code. */
  int stop() throws Exception {
    Files.createFile(stopFile);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("GatewayLeak did not stop");
    }
    return process.exitValue();
  }

  /** Waits for the child to end by itself. */
  int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("GatewayLeak did not end within " + timeout);
    }
    return process.exitValue();
  }

  String stderr() throws IOException {
    return Files.readString(stderr);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private void readStdout() {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        String[] words = line.split(" ");
        if (words[0].equals("pid")) {
          pid.complete(Long.parseLong(words[1]));
        } else if (words[0].equals("kept")) {
          keptAt.put(Long.parseLong(words[2]), Integer.parseInt(words[1]));
        }
      }
    } catch (IOException | RuntimeException e) {
      pid.completeExceptionally(e);
    }
    pid.completeExceptionally(new IllegalStateException("GatewayLeak printed no pid"));
  }

  private static String testClasses() {
    try {
      return Path.of(GatewayLeak.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("test classes location", e);
    }
  }
}
