package io.memfleet.collector.ebpf.stack;

/**
 * One raw user-stack frame as a tracer printed it, before memfleet turns it into a
 * {@link io.memfleet.event.StackTrace} frame string.
 *
 * @param address instruction address as printed (absolute for bpftrace, module-relative for
 *     perf script)
 * @param symbol function name with any {@code +offset} removed, or {@code null} when the tracer
 *     could not symbolise the address
 * @param module path of the binary or library holding the address, or {@code null} when unknown
 */
public record Frame(long address, String symbol, String module) {

  /**
   * Parses a symbol column such as {@code leak_blocks+24}, {@code run_loop+0x63} or
   * {@code [unknown]} into a symbol without offset, {@code null} for unknown symbols.
   */
  public static String symbolOf(String printed) {
    if (printed == null || printed.isEmpty() || printed.startsWith("[unknown]")) {
      return null;
    }
    int plus = printed.lastIndexOf('+');
    return plus > 0 ? printed.substring(0, plus) : printed;
  }

  /** Module name without directories, for compact frame strings. */
  public String moduleName() {
    if (module == null || module.isEmpty() || module.equals("[unknown]")) {
      return null;
    }
    int slash = module.lastIndexOf('/');
    return slash >= 0 ? module.substring(slash + 1) : module;
  }
}
