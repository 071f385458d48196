package io.memfleet.collector.ebpf.overhead;

import io.memfleet.collector.ebpf.EbpfOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * How the benchmark is watched in one run of the overhead harness: not at all, or by the eBPF
 * collector with the {@code memfleet ebpf} flags a user would type, parsed by picocli into
 * {@link EbpfOptions} exactly as the command does (so {@code MEMFLEET_EBPF_*} variables apply).
 *
 * <pre>{@code
 * // (no flags): every process of the host
 * EbpfOptions host = TracingMode.HOST_WIDE.options(pid);
 * // --pid PID --scripts malloc,mmap,faults,oom --sample-every 1
 * EbpfOptions o = TracingMode.EVERY_CALL.options(pid);
 * }</pre>
 */
public enum TracingMode {
  /** No tracing: the baseline. */
  UNTRACED("no tracing"),
  /** {@code memfleet ebpf --pid PID}: the defaults, on the benchmark only. */
  DEFAULT("memfleet default"),
  /** {@code memfleet ebpf}: the defaults on every process of the host (as the DaemonSet runs). */
  HOST_WIDE("memfleet host-wide"),
  /** The malloc script added to the default scripts, default sampling. */
  MALLOC_SAMPLED("+ malloc, sampled"),
  /** The malloc script added to the default scripts, every allocator call reported. */
  EVERY_CALL("+ malloc, every call");

  private final String label;

  TracingMode(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public boolean traced() {
    return this != UNTRACED;
  }

  /** The command-line flags of this mode, as typed after {@code memfleet ebpf}. */
  public List<String> flags(int pid) {
    if (this == HOST_WIDE) {
      return List.of();
    }
    List<String> flags = new ArrayList<>(List.of("--pid", Integer.toString(pid)));
    String withMalloc = "malloc," + EbpfOptions.DEFAULT_SCRIPTS;
    switch (this) {
      case MALLOC_SAMPLED -> flags.addAll(List.of("--scripts", withMalloc));
      case EVERY_CALL -> flags.addAll(List.of("--scripts", withMalloc, "--sample-every", "1"));
      default -> { }
    }
    return flags;
  }

  /** The options the collector runs with in this mode. */
  public EbpfOptions options(int pid) {
    if (!traced()) {
      throw new IllegalStateException("no collector runs in mode " + this);
    }
    EbpfOptions options = new EbpfOptions();
    new CommandLine(options).parseArgs(flags(pid).toArray(String[]::new));
    options.validate();
    return options;
  }
}
