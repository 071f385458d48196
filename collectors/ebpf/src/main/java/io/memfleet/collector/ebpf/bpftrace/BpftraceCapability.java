package io.memfleet.collector.ebpf.bpftrace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether bpftrace can run on this machine, with a message a person can act on when it cannot:
 * the binary is missing, the process lacks root or CAP_BPF + CAP_PERFMON, or tracefs (which
 * tracepoints and uprobes need) is not mounted. When running as root, a missing tracefs is
 * mounted at {@code /sys/kernel/tracing}.
 *
 * <pre>{@code
 * BpftraceCapability.Report report = BpftraceCapability.check(Optional.empty(), true);
 * if (!report.usable()) throw new BpftraceUnavailableException(report.message());
 * Path bpftrace = report.bpftrace().orElseThrow();
 * }</pre>
 */
public final class BpftraceCapability {
  static final int CAP_SYS_ADMIN = 21;
  static final int CAP_PERFMON = 38;
  static final int CAP_BPF = 39;
  private static final List<Path> TRACEFS =
      List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));

  private BpftraceCapability() {}

  /**
   * What was found.
   *
   * @param bpftrace the binary, when found
   * @param problems one actionable sentence per missing capability; empty when usable
   * @param notes what the check did along the way (e.g. mounted tracefs)
   */
  public record Report(Optional<Path> bpftrace, List<String> problems, List<String> notes) {
    public boolean usable() {
      return problems.isEmpty();
    }

    public String message() {
      return usable() ? "bpftrace usable" : "bpftrace cannot run: " + String.join("; ", problems);
    }
  }

  /**
   * Checks binary, privileges and tracefs.
   *
   * @param configured an explicit bpftrace path; empty to search {@code PATH}
   * @param mountTracefs mount tracefs when missing and running as root
   */
  public static Report check(Optional<Path> configured, boolean mountTracefs) {
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Optional<Path> binary = configured.isPresent()
        ? configured.filter(Files::isExecutable)
        : findOnPath("bpftrace");
    if (binary.isEmpty()) {
      problems.add(configured
          .map(p -> "bpftrace binary " + p + " is missing or not executable")
          .orElse("bpftrace is not installed (not on PATH); install it (apt-get install "
              + "bpftrace) or point --bpftrace / MEMFLEET_EBPF_BPFTRACE at it"));
    }
    long caps = effectiveCapabilities();
    boolean root = isRoot();
    boolean privileged = root || has(caps, CAP_SYS_ADMIN)
        || (has(caps, CAP_BPF) && has(caps, CAP_PERFMON));
    if (!privileged) {
      problems.add("not permitted: bpftrace needs root, or CAP_BPF and CAP_PERFMON (plus "
          + "CAP_SYS_RESOURCE / CAP_DAC_READ_SEARCH for uprobes); this process has CapEff=0x"
          + Long.toHexString(caps));
    }
    if (tracefsMounted().isEmpty()) {
      if (mountTracefs && root) {
        String result = mount();
        notes.add(result);
      }
      if (tracefsMounted().isEmpty()) {
        problems.add("tracefs is not mounted; as root run: mount -t tracefs nodev "
            + "/sys/kernel/tracing");
      }
    }
    return new Report(binary, List.copyOf(problems), List.copyOf(notes));
  }

  /** Throws {@link BpftraceUnavailableException} unless bpftrace can run; returns the binary. */
  public static Path require(Optional<Path> configured, boolean mountTracefs) {
    Report report = check(configured, mountTracefs);
    if (!report.usable()) {
      throw new BpftraceUnavailableException(report.message());
    }
    return report.bpftrace().orElseThrow();
  }

  /** The tracefs directory with an {@code events} folder, if one is mounted. */
  public static Optional<Path> tracefsMounted() {
    return TRACEFS.stream().filter(p -> Files.isDirectory(p.resolve("events"))).findFirst();
  }

  public static boolean isRoot() {
    return statusField("Uid:").map(v -> v.split("\\s+")[1].equals("0")).orElse(false);
  }

  static long effectiveCapabilities() {
    return statusField("CapEff:").map(v -> Long.parseUnsignedLong(v.trim(), 16)).orElse(0L);
  }

  static boolean has(long caps, int cap) {
    return (caps & (1L << cap)) != 0;
  }

  public static Optional<Path> findOnPath(String name) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> statusField(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Optional.of(line.substring(field.length()).trim());
        }
      }
    } catch (IOException e) {
      // no procfs: report as unprivileged
    }
    return Optional.empty();
  }

  private static String mount() {
    try {
      Process p = new ProcessBuilder("mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing")
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "mounting tracefs timed out";
      }
      return p.exitValue() == 0 ? "mounted tracefs at /sys/kernel/tracing"
          : "mounting tracefs failed (exit " + p.exitValue() + "): " + out;
    } catch (IOException e) {
      return "mounting tracefs failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "mounting tracefs interrupted";
    }
  }
}
