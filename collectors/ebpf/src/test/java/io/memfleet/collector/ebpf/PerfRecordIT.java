package io.memfleet.collector.ebpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.perf.FoldedStacks;
import io.memfleet.collector.ebpf.perf.PerfClockSampler;
import io.memfleet.collector.ebpf.perf.PerfProbes;
import io.memfleet.collector.ebpf.perf.PerfRecorder;
import io.memfleet.collector.ebpf.publish.PerfSamplePublisher;
import io.memfleet.collector.ebpf.stack.ModuleMap;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.ClockSync;
import io.memfleet.event.PageFault;
import io.memfleet.event.Source;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** perf record + perf script on a live demo process, parsed into folded stacks and events. */
class PerfRecordIT {
  @TempDir Path dir;

  @Test
  void pageFaultsFoldIntoTheDemosStacks() throws Exception {
    Path perf = Tracing.requirePerf();
    try (NativeDemo leaky = NativeDemo.start("leaky", "200", "4096", "0", "5")) {
      RecordingEventSink sink = new RecordingEventSink();
      var identity = ProcessIdentities.fromEnvironment().forPid(leaky.pid());
      PerfSamplePublisher publisher = new PerfSamplePublisher(sink, new EventHeaders("perf/it"),
          identity, 127, ClockDomain.MONOTONIC);
      FoldedStacks folded = new FoldedStacks();
      long before = System.nanoTime();
      PerfRecorder.Result result = PerfRecorder.builder().perf(perf).pid(leaky.pid())
          .event("page-faults").period(5).duration(Duration.ofSeconds(2)).workDir(dir).build()
          .run(s -> {
            folded.add(s);
            publisher.accept(s);
          });
      assertThat(result.samples()).isGreaterThan(20);
      assertThat(result.malformedLines()).isZero();
      assertThat(folded.weights().keySet()).anyMatch(k -> k.contains("main;run_loop"));
      assertThat(sink.eventsOf(PageFault.class)).hasSize((int) result.samples())
          .allSatisfy(f -> {
            assertThat(f.getCount()).isEqualTo(5);
            assertThat(f.getHeader().getSource()).isEqualTo(Source.PERF);
            assertThat(f.getHeader().getClockDomain()).isEqualTo(ClockDomain.MONOTONIC);
            // -k CLOCK_MONOTONIC: perf's clock is the JVM's System.nanoTime clock
            assertThat(f.getHeader().getRawTimestamp()).isBetween(before, System.nanoTime());
          });
    }
  }

  @Test
  void mallocUprobeSamplesBecomeAllocations() throws Exception {
    Path perf = Tracing.requirePerf();
    try (NativeDemo leaky = NativeDemo.start("leaky", "200", "4096", "0", "0")) {
      Path libc = ModuleMap.read(leaky.pid()).libc().orElseThrow();
      String event = PerfProbes.addMallocProbe(perf, libc);
      try {
        RecordingEventSink sink = new RecordingEventSink();
        PerfSamplePublisher publisher = new PerfSamplePublisher(sink,
            new EventHeaders("perf/it"),
            ProcessIdentities.fromEnvironment().forPid(leaky.pid()), 127, ClockDomain.MONOTONIC);
        FoldedStacks folded = new FoldedStacks();
        PerfRecorder.builder().perf(perf).pid(leaky.pid()).event(event)
            .duration(Duration.ofSeconds(1)).workDir(dir).build()
            .run(s -> {
              folded.add(s);
              publisher.accept(s);
            });
        assertThat(sink.eventsOf(Allocation.class)).hasSizeGreaterThan(50)
            .allSatisfy(a -> {
              assertThat(a.getKind()).isEqualTo(AllocationKind.MALLOC);
              assertThat(a.getSizeBytes()).isEqualTo(4096);
            });
        // entry probe: frame-pointer unwinding skips the direct caller leak_blocks
        assertThat(folded.weights().keySet()).anyMatch(k -> k.endsWith("main;run_loop;malloc"));
      } finally {
        PerfProbes.delete(perf, event);
      }
    }
  }

  /**
   * perf's own clock (the TSC-based local_clock): samples recorded without {@code -k}, mapped to
   * CLOCK_MONOTONIC through two {@link PerfClockSampler} samples taken around the recording, fall
   * inside the recording's monotonic window. A sampler that paired the wrong kernel clock would
   * be off by the two clocks' difference (milliseconds here, see the sampler's javadoc).
   */
  @Test
  void perfClockSamplesMapOntoMonotonicThroughTheCalibration() throws Exception {
    Path perf = Tracing.requirePerf();
    PerfClockSampler clock = PerfClockSampler.open(true).orElseThrow(() -> new AssertionError(
        "perf clock not calibratable: " + PerfClockSampler.unavailableReason()));
    try (NativeDemo leaky = NativeDemo.start("leaky", "200", "4096", "0", "5")) {
      RecordingEventSink sink = new RecordingEventSink();
      var identity = ProcessIdentities.fromEnvironment().forPid(leaky.pid());
      var headers = new EventHeaders("perf/it");
      PerfSamplePublisher publisher = new PerfSamplePublisher(sink, headers, identity, 127,
          ClockDomain.PERF_CLOCK);
      ClockSync first = clock.sample(identity, headers);
      long before = System.nanoTime();
      PerfRecorder.builder().perf(perf).pid(leaky.pid()).event("page-faults").period(5)
          .duration(Duration.ofSeconds(2)).workDir(dir).clock(PerfRecorder.Clock.PERF).build()
          .run(publisher);
      long after = System.nanoTime();
      ClockSync last = clock.sample(identity, headers);
      assertThat(first.getHeader().getClockDomain()).isEqualTo(ClockDomain.PERF_CLOCK);
      double rate = (double) (last.getMonotonicNs() - first.getMonotonicNs())
          / (last.getDomainValue() - first.getDomainValue());
      assertThat(rate).isCloseTo(1.0, within(1e-4));
      assertThat(sink.eventsOf(PageFault.class)).hasSizeGreaterThan(20).allSatisfy(f -> {
        assertThat(f.getHeader().getClockDomain()).isEqualTo(ClockDomain.PERF_CLOCK);
        long monotonic = first.getMonotonicNs() + Math.round(
            (f.getHeader().getRawTimestamp() - first.getDomainValue()) * rate);
        assertThat(monotonic).isBetween(before, after);
      });
    }
  }
}
