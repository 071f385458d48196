package io.memfleet.collector.ebpf;

import io.memfleet.collector.ebpf.bpftrace.BpftraceCapability;
import io.memfleet.localstack.testing.Capabilities;
import java.nio.file.Path;
import java.util.Optional;

/** Capability gates for the integration tests (skip locally, fail under CI=true). */
public final class Tracing {
  private Tracing() {}

  /** bpftrace usable: binary, root or CAP_BPF+CAP_PERFMON, tracefs (mounted when root). */
  public static Path requireBpftrace() {
    BpftraceCapability.Report report = BpftraceCapability.check(Optional.empty(), true);
    Capabilities.require(report.usable(), report.message());
    return report.bpftrace().orElseThrow();
  }

  public static Path requirePerf() {
    Optional<Path> perf = BpftraceCapability.findOnPath("perf");
    Capabilities.require(perf.isPresent(), "perf (apt-get install linux-perf)");
    Capabilities.require(BpftraceCapability.isRoot(), "root, for perf record -p and perf probe");
    return perf.orElseThrow();
  }
}
