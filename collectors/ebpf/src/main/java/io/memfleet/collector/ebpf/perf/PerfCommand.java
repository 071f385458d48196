package io.memfleet.collector.ebpf.perf;

import io.memfleet.collector.ChildCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One short perf command ({@code perf probe}, {@code perf stat}) run to completion with a
 * deadline that holds: its output goes to a file, not a pipe, so a perf that hangs is killed
 * when the deadline passes instead of blocking the reader (and with it the malloc escalation's
 * thread) for good. perf runs without {@code DEBUGINFOD_URLS}: a node collector never asks a
 * debuginfod server for debug info (each lookup on a host without network waits up to 90 s),
 * and it ends with the collector ({@link ChildCommands}).
 *
 * <pre>{@code
 * PerfCommand.Result r = PerfCommand.run(List.of(perf, "probe", "-l"), Duration.ofSeconds(30));
 * if (r.exitCode() != 0) throw new IOException(r.describeFailure());
 * }</pre>
 */
public final class PerfCommand {
  /** What the command printed (standard output and error together) and how it exited. */
  public record Result(List<String> command, int exitCode, String output) {
    /** "COMMAND failed (CODE): OUTPUT", for an exception's message. */
    public String describeFailure() {
      return String.join(" ", command) + " failed (" + exitCode + "): " + output.trim();
    }
  }

  private PerfCommand() {}

  /**
   * Runs {@code command} and waits at most {@code timeout}; throws {@link IOException} when it
   * could not start or did not finish in time (it is killed then).
   */
  public static Result run(List<String> command, Duration timeout)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("memfleet-perf-", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(ChildCommands.endingWithThisProcess(command))
          .redirectErrorStream(true).redirectOutput(out.toFile());
      pb.environment().remove("DEBUGINFOD_URLS");
      Process p = pb.start();
      try {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IOException("timed out after " + timeout.toSeconds() + " s: "
              + String.join(" ", command));
        }
      } finally {
        p.destroyForcibly();
      }
      return new Result(List.copyOf(command), p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
