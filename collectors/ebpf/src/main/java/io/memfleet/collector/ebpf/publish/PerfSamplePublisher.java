package io.memfleet.collector.ebpf.publish;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ebpf.perf.PerfRecorder;
import io.memfleet.collector.ebpf.perf.PerfSample;
import io.memfleet.collector.ebpf.stack.ModuleMap;
import io.memfleet.collector.ebpf.stack.Stacks;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.PageFault;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Turns perf samples of one process into memfleet events: {@code page-faults},
 * {@code minor-faults} and {@code major-faults} → {@link PageFault} (count = the sample period),
 * {@code probe_libc:malloc} (with a {@code size} argument) → {@link Allocation} kind MALLOC
 * (weight = size × period). Stamped {@code source=PERF} in the clock domain of the recording
 * ({@link PerfRecorder.Clock#domain()}). Other events are counted as ignored.
 *
 * <pre>{@code
 * PerfSamplePublisher pub = new PerfSamplePublisher(sink, headers, identity, 127,
 *     ClockDomain.PERF_CLOCK);
 * recorder.run(pub);
 * }</pre>
 */
public final class PerfSamplePublisher implements Consumer<PerfSample> {
  private final EventSink sink;
  private final EventHeaders headers;
  private final ProcessIdentity process;
  private final int depthLimit;
  private final ClockDomain clock;
  private long published;
  private long ignored;

  /**
   * {@code depthLimit}: perf's call-chain limit (kernel.perf_event_max_stack, 127 by default);
   * {@code clock}: the domain the recording's timestamps are in.
   */
  public PerfSamplePublisher(EventSink sink, EventHeaders headers, ProcessIdentity process,
      int depthLimit, ClockDomain clock) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.headers = Objects.requireNonNull(headers, "headers");
    this.process = Objects.requireNonNull(process, "process");
    this.depthLimit = depthLimit;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void accept(PerfSample s) {
    var stack = s.frames().isEmpty() ? null
        : Stacks.toStackTrace(s.frames(), ModuleMap.empty(), depthLimit);
    var header = headers.next(process, Source.PERF, clock, s.timestampNs());
    String event = s.event();
    if (event.equals("page-faults") || event.equals("faults") || event.equals("minor-faults")
        || event.equals("major-faults")) {
      sink.publish(PageFault.newBuilder().setHeader(header).setCount(s.period())
          .setMajor(event.equals("major-faults")).setStack(stack).build());
      published++;
    } else if (event.endsWith(":malloc") && s.arguments().containsKey("size")) {
      long size = parseSize(s.arguments().get("size"));
      sink.publish(Allocation.newBuilder().setHeader(header).setKind(AllocationKind.MALLOC)
          .setSizeBytes(size).setWeightBytes(size * s.period()).setStack(stack).build());
      published++;
    } else {
      ignored++;
    }
  }

  public long published() {
    return published;
  }

  public long ignored() {
    return ignored;
  }

  private static long parseSize(String value) {
    return value.startsWith("0x") ? Long.parseUnsignedLong(value.substring(2), 16)
        : Long.parseUnsignedLong(value);
  }
}
