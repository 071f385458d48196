package io.memfleet.collector.ebpf.perf;

import io.memfleet.collector.ClockSyncSampler;
import io.memfleet.collector.EventHeaders;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Calibrates perf's sample clock against the host's clocks, so perf samples can be stamped in the
 * PERF_CLOCK domain and put on the UTC timeline with their own fitted offset and drift.
 *
 * <p>perf's default clock is the kernel's {@code local_clock()}: on x86 the CPU's time-stamp
 * counter scaled to nanoseconds ({@code native_sched_clock}; under KVM the pvclock, itself a
 * scaled TSC read). NTP never steers it, so it drifts against UTC by the error of the TSC's
 * calibrated frequency — −0.33 ppm against CLOCK_MONOTONIC on the machine this was written on.
 *
 * <p>How: the scheduler's debug file ({@code /sys/kernel/debug/sched/debug}, or
 * {@code /proc/sched_debug} before Linux 5.13) starts with {@code ktime} (CLOCK_MONOTONIC) and
 * {@code cpu_clk} ({@code local_clock()}), which the kernel reads back to back with interrupts
 * off. Just before reading it the sampler pairs CLOCK_MONOTONIC with CLOCK_REALTIME (the
 * tightest of {@link ClockSyncSampler}'s brackets) and carries realtime forward to the file's
 * {@code ktime}. The sample is {@code ClockSync{domain PERF_CLOCK, domainValue = cpu_clk,
 * monotonicNs = ktime}}; its uncertainty is the realtime bracket's width plus 500 ppm (the
 * largest NTP slew between realtime and monotonic) of the time between the bracket and ktime.
 *
 * <pre>{@code
 * Optional<PerfClockSampler> clock = PerfClockSampler.open(true);   // empty: stamp MONOTONIC
 * sink.publish(clock.get().sample(host, headers));
 * }</pre>
 *
 * <p>Unusable (and {@link #open} empty, saying why in {@link #unavailableReason}) when the file
 * cannot be read — debugfs not mounted and not mountable, kernel lockdown — or the kernel marks
 * {@code sched_clock} unstable (then each CPU's clock runs on its own and perf's timestamps of
 * two CPUs do not compare).
 */
public final class PerfClockSampler {
  static final List<Path> FILES =
      List.of(Path.of("/sys/kernel/debug/sched/debug"), Path.of("/proc/sched_debug"));
  private static final Path DEBUGFS = Path.of("/sys/kernel/debug");
  private static final int HEADER_BYTES = 1024;
  private static final long MAX_SLEW_PPM = 500;

  private final Path file;
  private final ClockSyncSampler pairs = new ClockSyncSampler();

  /** The kernel's clocks at one instant, in nanoseconds. */
  record KernelClocks(long ktimeNs, long cpuClockNs, boolean stable) {}

  PerfClockSampler(Path file) {
    this.file = file;
  }

  /**
   * A sampler reading the first scheduler debug file that shows stable clocks; empty when none
   * does. {@code mountDebugfs}: as root, mount debugfs at /sys/kernel/debug when it is missing.
   */
  public static Optional<PerfClockSampler> open(boolean mountDebugfs) {
    if (mountDebugfs && !Files.isReadable(FILES.get(0)) && !Files.isReadable(FILES.get(1))) {
      mountDebugfs();
    }
    for (Path f : FILES) {
      try {
        if (Files.isReadable(f) && read(f).stable()) {
          return Optional.of(new PerfClockSampler(f));
        }
      } catch (IOException | IllegalArgumentException e) {
        // try the next file
      }
    }
    return Optional.empty();
  }

  /** Why {@link #open} found no usable file, for the collector's log. */
  public static String unavailableReason() {
    for (Path f : FILES) {
      if (Files.isReadable(f)) {
        try {
          return read(f).stable() ? "usable" : f + " says sched_clock is unstable";
        } catch (IOException | IllegalArgumentException e) {
          return f + ": " + e.getMessage();
        }
      }
    }
    return "neither " + FILES.get(0) + " (debugfs) nor " + FILES.get(1) + " is readable";
  }

  /** One calibration sample of perf's clock on {@code host}. */
  public ClockSync sample(ProcessIdentity host, EventHeaders headers) throws IOException {
    ClockSyncSampler.Reading pair = pairs.read();
    KernelClocks k = read(file);
    long uncertainty = pair.widthNs() + Math.abs(k.ktimeNs() - pair.monotonicNs())
        * MAX_SLEW_PPM / 1_000_000;
    return ClockSync.newBuilder()
        .setHeader(headers.next(host, Source.PERF, ClockDomain.PERF_CLOCK, k.cpuClockNs()))
        .setRealtimeNs(pair.realtimeAt(k.ktimeNs()))
        .setMonotonicNs(k.ktimeNs())
        .setDomainValue(k.cpuClockNs())
        .setDomainFrequencyHz(null)
        .setUncertaintyNs(uncertainty)
        .setBootId(host.getBootId())
        .build();
  }

  static KernelClocks read(Path file) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(HEADER_BYTES);
    }
    return parse(new String(head, StandardCharsets.US_ASCII));
  }

  /** The {@code ktime}, {@code cpu_clk} and {@code sched_clock_stable()} lines of the header. */
  static KernelClocks parse(String header) {
    Long ktime = null;
    Long cpuClock = null;
    boolean stable = false;
    for (String line : header.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      switch (name) {
        case "ktime" -> ktime = nanos(value);
        case "cpu_clk" -> cpuClock = nanos(value);
        case "sched_clock_stable()" -> stable = value.equals("1");
        default -> { }
      }
    }
    if (ktime == null || cpuClock == null) {
      throw new IllegalArgumentException("no ktime and cpu_clk lines in the scheduler's debug "
          + "header");
    }
    return new KernelClocks(ktime, cpuClock, stable);
  }

  /** The kernel prints nanoseconds as milliseconds with six decimals ({@code SPLIT_NS}). */
  static long nanos(String msDotNs) {
    int dot = msDotNs.indexOf('.');
    if (dot < 0 || msDotNs.length() - dot - 1 != 6) {
      throw new IllegalArgumentException("not a kernel nanosecond figure: " + msDotNs);
    }
    return Long.parseLong(msDotNs.substring(0, dot)) * 1_000_000L
        + Long.parseLong(msDotNs.substring(dot + 1));
  }

  private static void mountDebugfs() {
    if (Files.isDirectory(DEBUGFS.resolve("sched")) || !Files.isDirectory(DEBUGFS)) {
      return;
    }
    try {
      Process p = new ProcessBuilder("mount", "-t", "debugfs", "none", DEBUGFS.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      // not root or no mount binary: open() reports the file as unreadable
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
