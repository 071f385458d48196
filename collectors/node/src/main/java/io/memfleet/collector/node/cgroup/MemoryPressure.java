package io.memfleet.collector.node.cgroup;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Memory pressure stall information (PSI) from a {@code memory.pressure} file (cgroup v2) or
 * {@code /proc/pressure/memory} (the host, kernel 4.20+ with {@code CONFIG_PSI}): the share of
 * the last 10 s in which some, or all, non-idle tasks stalled waiting for memory.
 *
 * <pre>{@code
 * Optional<MemoryPressure> p = MemoryPressure.parse(Files.readString(Path.of("/proc/pressure/memory")));
 * double stalled = p.get().someAvg10();   // 0..100
 * }</pre>
 *
 * <p>Format (Documentation/accounting/psi.rst): {@code some avg10=0.00 avg60=0.00 avg300=0.00
 * total=0} and the same with {@code full}; {@code full} is missing on kernels before 5.13 for
 * the host-wide CPU file only, and is read as absent when missing here too.
 *
 * @param someAvg10 percent of the last 10 s in which at least one task stalled on memory
 * @param fullAvg10 percent in which all non-idle tasks stalled, empty when the line is missing
 */
public record MemoryPressure(double someAvg10, OptionalDouble fullAvg10) {

  /** Parses the file; empty when there is no readable {@code some} line. */
  public static Optional<MemoryPressure> parse(String text) {
    OptionalDouble some = OptionalDouble.empty();
    OptionalDouble full = OptionalDouble.empty();
    for (String line : text.split("\n")) {
      if (line.startsWith("some ")) {
        some = avg10(line);
      } else if (line.startsWith("full ")) {
        full = avg10(line);
      }
    }
    return some.isPresent() ? Optional.of(new MemoryPressure(some.getAsDouble(), full))
        : Optional.empty();
  }

  private static OptionalDouble avg10(String line) {
    int at = line.indexOf("avg10=");
    if (at < 0) {
      return OptionalDouble.empty();
    }
    int end = line.indexOf(' ', at);
    try {
      double v = Double.parseDouble(line.substring(at + 6, end < 0 ? line.length() : end));
      return v >= 0 && v <= 100 ? OptionalDouble.of(v) : OptionalDouble.empty();
    } catch (NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }
}
