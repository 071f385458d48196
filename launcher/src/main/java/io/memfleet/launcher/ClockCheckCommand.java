package io.memfleet.launcher;

import io.memfleet.collector.ChildCommands;
import io.memfleet.collector.ClockSyncSampler;
import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.bpftrace.BpftraceCapability;
import io.memfleet.collector.ebpf.perf.PerfClockSampler;
import io.memfleet.event.ClockSync;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.pipeline.time.ClockModelSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code memfleet clock-check}: how closely this host's perf clock (PERF_CLOCK, TSC-based) and
 * CLOCK_MONOTONIC (bpftrace's {@code nsecs}) agree on UTC after memfleet's calibration, measured
 * on a shared marker: page faults of a marker thread, each seen by perf and by bpftrace.
 */
@Command(name = "clock-check", mixinStandardHelpOptions = true,
    description = {"Measure how well memfleet puts two clocks of this host on one UTC timeline: "
        + "a marker thread touches fresh pages; perf stamps each page fault in its own clock "
        + "(the kernel's local_clock(), the CPU's time-stamp counter scaled to nanoseconds) and "
        + "bpftrace stamps the same fault in CLOCK_MONOTONIC. Each clock goes to UTC through "
        + "the pipeline's clock model, fitted from the same calibration samples the collectors "
        + "send; the table shows the difference per fault (p50/p99/max).",
        "Needs root (perf, bpftrace, debugfs for the scheduler's clock header). Exit code 0, "
        + "or 1 when no fault was seen by both."})
final class ClockCheckCommand implements Callable<Integer> {
  private static final int PAGE = 4096;
  private static final int ROUND_SECONDS = 5;
  private static final String MARKER_THREAD = "mf-clock-marker";

  @Option(names = "--duration", converter = DurationConverter.class, defaultValue = "30s",
      description = "Recording time per clock mode, in alternating 5-s recordings (default: "
          + "${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--calibration-interval", converter = DurationConverter.class,
      defaultValue = "10s", description = "Time between calibration samples, as the collectors' "
      + "--clock-sync-interval (default: ${DEFAULT-VALUE}).")
  Duration interval;

  @Option(names = "--marks-per-second", defaultValue = "200",
      description = "Pages the marker touches per second (default: ${DEFAULT-VALUE}).")
  int rate;

  /** After {@link #call}: perf in CLOCK_MONOTONIC, and perf in its own clock. */
  ClockCheck.Result sameClockResult;
  ClockCheck.Result calibratedResult;

  @Override
  public Integer call() throws Exception {
    if (rate < 1 || duration.toSeconds() < ROUND_SECONDS || interval.isZero()
        || interval.isNegative()) {
      System.err.println("memfleet clock-check: --marks-per-second must be positive, "
          + "--duration at least " + ROUND_SECONDS + "s and --calibration-interval positive");
      return 2;
    }
    Path perf = BpftraceCapability.findOnPath("perf").orElse(null);
    if (perf == null) {
      System.err.println("memfleet clock-check: perf is not installed (apt-get install "
          + "linux-perf)");
      return 2;
    }
    Path bpftrace = BpftraceCapability.require(Optional.empty(), true);
    Optional<PerfClockSampler> perfClock = PerfClockSampler.open(true);
    if (perfClock.isEmpty()) {
      System.err.println("memfleet clock-check: perf's clock cannot be calibrated here: "
          + PerfClockSampler.unavailableReason());
      return 2;
    }
    ProcessIdentity host = ProcessIdentities.fromEnvironment().self();
    ClockCheck sameClock = new ClockCheck(ClockModelSettings.defaults(), host.getBootId(), true);
    ClockCheck calibrated = new ClockCheck(ClockModelSettings.defaults(), host.getBootId(), false);
    Path work = Files.createTempDirectory("memfleet-clock-check-");
    try {
      System.out.printf("memfleet clock-check: %d s per clock mode in alternating %d-s "
          + "recordings, %d marks/s, calibration every %d s …%n", duration.toSeconds(),
          ROUND_SECONDS, rate, interval.toSeconds());
      record(List.of(sameClock, calibrated), perfClock.get(), host, perf, bpftrace, work);
    } finally {
      try (var files = Files.list(work)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(work);
    }
    sameClockResult = sameClock.result();
    calibratedResult = calibrated.result();
    print(sameClockResult, calibratedResult);
    return sameClockResult.matched() > 0 && calibratedResult.matched() > 0 ? 0 : 1;
  }

  /**
   * Alternates short perf recordings in CLOCK_MONOTONIC (into {@code checks[0]}) and in perf's
   * own clock (into {@code checks[1]}): the delay between the two probes wanders by microseconds
   * over tens of seconds, and alternating gives both modes the same mix of it.
   */
  private void record(List<ClockCheck> checks, PerfClockSampler perfClock, ProcessIdentity host,
      Path perf, Path bpftrace, Path work) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    Path shm = Path.of("/dev/shm");
    Path markerFile = (Files.isDirectory(shm) && Files.isWritable(shm) ? shm : work)
        .resolve("memfleet-clock-check-" + ProcessHandle.current().pid());
    Thread marker = new Thread(() -> touchPages(markerFile, go), MARKER_THREAD);
    marker.setDaemon(true);
    marker.start();
    Process tracer = null;
    Thread reader = null;
    Thread calibrator = null;
    try {
      long tid = threadId(MARKER_THREAD);
      tracer = new ProcessBuilder(ChildCommands.endingWithThisProcess(List.of(
          bpftrace.toString(), "-e", "tracepoint:exceptions:page_fault_user /tid == " + tid
              + "/ { printf(\"%d %llu %lu\\n\", tid, nsecs, args->address); }")))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      CountDownLatch attached = new CountDownLatch(1);
      Process t = tracer;
      reader = new Thread(() -> readMarks(t, checks, attached), "clock-check-bpftrace");
      reader.start();
      if (!attached.await(60, TimeUnit.SECONDS)) {
        throw new IOException("bpftrace did not attach within 60 s");
      }
      calibrator = new Thread(() -> calibrate(checks, perfClock, host), "clock-check-calibration");
      calibrator.setDaemon(true);
      calibrator.start();
      go.countDown();
      long rounds = 2 * (duration.toSeconds() / ROUND_SECONDS);
      for (int round = 0; round < rounds; round++) {
        recordPerf(checks.get(round % 2), round % 2 == 0, perf, tid, work);
      }
    } finally {
      for (Thread t : new Thread[] {marker, calibrator}) {
        if (t != null) {
          t.interrupt();
          t.join(5_000);
        }
      }
      Files.deleteIfExists(markerFile);
      if (tracer != null) {
        tracer.destroy();
        if (!tracer.waitFor(10, TimeUnit.SECONDS)) {
          tracer.destroyForcibly();
        }
      }
      if (reader != null) {
        reader.join(10_000);
      }
    }
  }

  /** The kernel thread id of this JVM's thread named {@code name} (at most 15 characters). */
  private static long threadId(String name) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (var tasks = Files.list(Path.of("/proc/self/task"))) {
        for (Path task : tasks.toList()) {
          try {
            if (Files.readString(task.resolve("comm")).trim().equals(name)) {
              return Long.parseLong(task.getFileName().toString());
            }
          } catch (IOException e) {
            // the thread ended
          }
        }
      }
      Thread.sleep(10);
    }
    throw new IOException("thread " + name + " not found in /proc/self/task");
  }

  private void recordPerf(ClockCheck check, boolean monotonic, Path perf, long tid, Path work)
      throws IOException, InterruptedException {
    Path data = work.resolve("perf.data");
    Path log = work.resolve("perf.log");
    List<String> command = new java.util.ArrayList<>(List.of(perf.toString(), "record", "-q",
        "-e", "page-faults", "-c", "1", "-d", "-t", Long.toString(tid), "-o", data.toString()));
    if (monotonic) {
      command.addAll(List.of("-k", "CLOCK_MONOTONIC"));
    }
    command.addAll(List.of("--", "sleep", Integer.toString(ROUND_SECONDS)));
    Process recorder = new ProcessBuilder(ChildCommands.endingWithThisProcess(command))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!recorder.waitFor(ROUND_SECONDS + 60, TimeUnit.SECONDS)
          || recorder.exitValue() != 0) {
        throw new IOException("perf record failed: " + Files.readString(log));
      }
    } finally {
      recorder.destroyForcibly();
    }
    Process script = new ProcessBuilder(ChildCommands.endingWithThisProcess(List.of(
        perf.toString(), "script", "-i", data.toString(), "--ns", "-F", "tid,time,addr")))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(script.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        parsePerfLine(line, check);
      }
    } finally {
      script.waitFor(60, TimeUnit.SECONDS);
      script.destroyForcibly();
    }
  }

  /** {@code perf script -F tid,time,addr --ns}: {@code "  4321 24467.948352316:   7f12ab0"}. */
  static boolean parsePerfLine(String line, ClockCheck check) {
    String[] f = line.trim().split("[\\s:]+");
    if (f.length != 3) {
      return false;
    }
    try {
      int dot = f[1].indexOf('.');
      long ns = Long.parseLong(f[1].substring(0, dot)) * 1_000_000_000L
          + Long.parseLong(f[1].substring(dot + 1));
      check.perfMark(Integer.parseInt(f[0]), Long.parseUnsignedLong(f[2], 16), ns);
      return true;
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      return false;
    }
  }

  private static void readMarks(Process tracer, List<ClockCheck> checks,
      CountDownLatch attached) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(tracer.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.startsWith("Attaching")) {
          attached.countDown();
          continue;
        }
        String[] f = line.trim().split(" ");
        if (f.length == 3) {
          try {
            int tid = Integer.parseInt(f[0]);
            long address = Long.parseUnsignedLong(f[2]);
            long nsecs = Long.parseUnsignedLong(f[1]);
            checks.forEach(c -> c.monotonicMark(tid, address, nsecs));
          } catch (NumberFormatException e) {
            // a partial line at exit
          }
        }
      }
    } catch (IOException e) {
      // the tracer was stopped
    }
  }

  private void calibrate(List<ClockCheck> checks, PerfClockSampler perfClock,
      ProcessIdentity host) {
    ClockSyncSampler monotonic = new ClockSyncSampler();
    EventHeaders headers = new EventHeaders("clock-check");
    try {
      while (!Thread.currentThread().isInterrupted()) {
        ClockSync p = perfClock.sample(host, headers);
        ClockSync m = monotonic.sample(host, io.memfleet.event.Source.PERF, headers);
        var c = new ClockCheck.Calibration(p.getMonotonicNs(), p.getDomainValue(),
            p.getRealtimeNs(), p.getUncertaintyNs(), m.getMonotonicNs(), m.getRealtimeNs(),
            m.getUncertaintyNs());
        checks.forEach(check -> check.calibration(c));
        Thread.sleep(interval.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      System.err.println("memfleet clock-check: calibration failed: " + e.getMessage());
    }
  }

  /**
   * Once {@code go} opens, touches one fresh page of a file mapping (tmpfs where there is one)
   * every 1/rate s: each touch is one page fault of this thread.
   */
  private void touchPages(Path file, CountDownLatch go) {
    long pages = (long) rate * (3 * duration.toSeconds() + 60);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0,
          Math.min(pages * PAGE, Integer.MAX_VALUE - PAGE));
      go.await();
      long periodNs = 1_000_000_000L / rate;
      long next = System.nanoTime();
      for (int page = 0; (long) (page + 1) * PAGE <= map.capacity(); page++) {
        map.put(page * PAGE, (byte) 1);
        next += periodNs;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      System.err.println("memfleet clock-check: marker failed: " + e.getMessage());
    }
  }

  private static void print(ClockCheck.Result sameClock, ClockCheck.Result tsc) {
    long delay = sameClock.medianNs();
    ClockCheck.Spread jitter = sameClock.deviationFrom(delay);
    ClockCheck.Spread raw = tsc.deviationFrom(0);
    ClockCheck.Spread error = tsc.deviationFrom(delay);
    System.out.printf("perf and bpftrace both in CLOCK_MONOTONIC (one clock, no model):%n");
    System.out.printf("  faults seen by both      %d (perf only %d)%n", sameClock.matched(),
        sameClock.perfOnly());
    System.out.printf("  perf − bpftrace          median %s = the probes' own delay (perf "
        + "samples a fault after its tracepoint); spread around it p50 %s p99 %s%n", us(delay),
        us(jitter.p50()), us(jitter.p99()));
    System.out.printf("perf in PERF_CLOCK (TSC-based), bpftrace in CLOCK_MONOTONIC, each to UTC "
        + "by its own fitted model:%n");
    System.out.printf("  faults seen by both      %d (perf only %d)%n", tsc.matched(),
        tsc.perfOnly());
    System.out.printf("  |perf − bpftrace| (UTC)  p50 %s  p99 %s  max %s%n", us(raw.p50()),
        us(raw.p99()), us(raw.max()));
    System.out.printf("  less the probes' delay   p50 %s  p99 %s  (median shift %s: the "
        + "calibration's bias)%n", us(error.p50()), us(error.p99()),
        us(tsc.medianNs() - delay));
    System.out.printf("  uncalibrated             p50 %s (perf's clock read as "
        + "CLOCK_MONOTONIC)%n", us(tsc.uncalibrated().p50()));
    System.out.printf("calibration: %d samples per clock; fitted drift against UTC: PERF_CLOCK "
        + "%+.0f ppb, MONOTONIC %+.0f ppb%n", tsc.calibrations(), tsc.perfDriftPpb(),
        tsc.monotonicDriftPpb());
  }

  private static String us(long ns) {
    return String.format("%.2f µs", ns / 1000.0);
  }
}
