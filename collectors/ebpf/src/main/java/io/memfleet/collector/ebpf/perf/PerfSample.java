package io.memfleet.collector.ebpf.perf;

import io.memfleet.collector.ebpf.stack.Frame;
import java.util.List;
import java.util.Map;

/**
 * One sample from {@code perf script}: header fields and its call chain, innermost first.
 *
 * @param comm command name
 * @param tid thread id as perf script prints it by default (the pid for single-threaded
 *     processes; memfleet records with {@code -p PID}, so the process is known anyway)
 * @param cpu CPU number, or -1 when perf did not print it
 * @param timestampNs timestamp in nanoseconds of the recording clock (CLOCK_MONOTONIC when
 *     recorded with {@code -k CLOCK_MONOTONIC})
 * @param period sample period (events this sample stands for), 1 when not printed
 * @param event event name, e.g. {@code page-faults} or {@code probe_libc:malloc}
 * @param arguments {@code key=value} arguments of probe and tracepoint events
 * @param frames call chain, innermost first
 */
public record PerfSample(String comm, int tid, int cpu, long timestampNs, long period,
    String event, Map<String, String> arguments, List<Frame> frames) {

  public PerfSample {
    arguments = Map.copyOf(arguments);
    frames = List.copyOf(frames);
  }
}
