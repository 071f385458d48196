package io.memfleet.collector.ebpf.track;

import java.util.List;
import java.util.Objects;

/**
 * Which processes the eBPF collector traces: one process ({@code --pid}), the processes of some
 * memory cgroups ({@code --cgroup PREFIX}, the prefix matched against the memory cgroup path as
 * {@code memfleet collect --cgroup} does), or every process on the host. Host-wide and per
 * cgroup, the collector's own process and its children (bpftrace, perf) and kernel threads are
 * never traced.
 *
 * <pre>{@code
 * ProcessScope.host();
 * ProcessScope.cgroups(List.of("/kubepods.slice/kubepods-burstable.slice"));
 * ProcessScope.process(4242);
 * }</pre>
 */
public record ProcessScope(Kind kind, int pid, List<String> cgroupPrefixes) {
  /** The three ways of choosing processes. */
  public enum Kind { PROCESS, CGROUPS, HOST }

  public ProcessScope {
    Objects.requireNonNull(kind, "kind");
    cgroupPrefixes = List.copyOf(cgroupPrefixes);
  }

  public static ProcessScope process(int pid) {
    if (pid <= 0) {
      throw new IllegalArgumentException("pid must be positive, was " + pid);
    }
    return new ProcessScope(Kind.PROCESS, pid, List.of());
  }

  public static ProcessScope cgroups(List<String> prefixes) {
    if (prefixes.isEmpty()) {
      throw new IllegalArgumentException("at least one cgroup prefix");
    }
    return new ProcessScope(Kind.CGROUPS, 0, prefixes);
  }

  public static ProcessScope host() {
    return new ProcessScope(Kind.HOST, 0, List.of());
  }

  /** Whether a process in memory cgroup {@code cgroupPath} (null when unknown) is in scope. */
  public boolean admitsCgroup(String cgroupPath) {
    if (kind != Kind.CGROUPS) {
      return true;
    }
    return cgroupPath != null && cgroupPrefixes.stream().anyMatch(cgroupPath::startsWith);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case PROCESS -> "pid " + pid;
      case CGROUPS -> "cgroups " + cgroupPrefixes;
      case HOST -> "host-wide";
    };
  }
}
