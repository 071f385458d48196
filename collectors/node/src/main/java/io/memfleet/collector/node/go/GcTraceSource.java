package io.memfleet.collector.node.go;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Where a Go program's {@code GODEBUG=gctrace=1} output can be read: a log file (followed as it
 * grows, reopened when truncated or rotated), a named pipe, or {@code -} for the collector's
 * standard input; with the program's pid, or without it to find the process that holds the
 * file open.
 *
 * <pre>{@code
 * GcTraceSource s = GcTraceSource.parse("/var/log/app/stderr.log:4242");
 * }</pre>
 */
public record GcTraceSource(Path file, OptionalInt pid) {

  public GcTraceSource {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(pid, "pid");
  }

  /** True for {@code -}: standard input. */
  public boolean stdin() {
    return file.toString().equals("-");
  }

  /** Parses {@code PATH[:PID]}; {@code -:PID} reads standard input. */
  public static GcTraceSource parse(String spec) {
    int colon = spec.lastIndexOf(':');
    if (colon > 0 && spec.substring(colon + 1).matches("\\d+")) {
      return new GcTraceSource(Path.of(spec.substring(0, colon)),
          OptionalInt.of(Integer.parseInt(spec.substring(colon + 1))));
    }
    if (spec.isBlank()) {
      throw new IllegalArgumentException("gctrace source must be PATH[:PID]");
    }
    if (spec.equals("-")) {
      throw new IllegalArgumentException("gctrace on standard input needs the pid: -:PID");
    }
    return new GcTraceSource(Path.of(spec), OptionalInt.empty());
  }
}
