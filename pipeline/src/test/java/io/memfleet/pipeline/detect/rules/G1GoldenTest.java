package io.memfleet.pipeline.detect.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.event.EventHeader;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.pipeline.detect.Events;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.ObservationFunction;
import io.memfleet.pipeline.detect.Signal;
import io.memfleet.pipeline.model.ProcessId;
import io.memfleet.pipeline.model.TimedEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * live-set-growth on the collections of real stock G1 JVMs (golden files under
 * {@code golden/g1}, each with its capture note): every collection as the JFR collector
 * publishes it, through the observation buckets and the rule with its default settings. The
 * leak must be found within the time given; the sawtooth and the cache that fills and stays
 * flat must raise nothing.
 */
class G1GoldenTest {
  private static final long MIB = 1L << 20;
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      // file, heap maximum (MiB), found within (s after the process start; 0 = must raise nothing)
      "g1-session-leak.tsv, 512, 300",
      "g1-metrics-sawtooth.tsv, 512, 0",
      "g1-catalog-cache-fill.tsv, 512, 0",
      "g1-session-leak-fleet.tsv, 512, 300",
      "g1-metrics-sawtooth-fleet.tsv, 512, 0",
      "g1-catalog-cache-fill-fleet.tsv, 512, 0",
      "g1-session-leak-loaded.tsv, 512, 300",
      "g1-catalog-cache-fill-loaded.tsv, 512, 0",
      "g1-geo-warmup.tsv, 512, 0",
      // before its OutOfMemoryError at 61.4 s
      "g1-report-oome.tsv, 128, 60",
  })
  void liveSetGrowthOnRealG1Collections(String file, long heapMaxMib, int foundWithinSeconds)
      throws Exception {
    for (double phase : BUCKET_PHASES) {
      judge(file, heapMaxMib, foundWithinSeconds, phase);
    }
  }

  /**
   * Where the process start falls in the 10 s observation buckets, which are aligned to UTC: a
   * verdict must not hang on it (the warm-up alarmed live with its start 5 s into a bucket).
   */
  private static final double[] BUCKET_PHASES = {0, 2.5, 5, 7.5};

  private static void judge(String file, long heapMaxMib, int foundWithinSeconds, double phase)
      throws Exception {
    List<Observation> live = observations(Path.of("src/test/resources/golden/g1", file),
        heapMaxMib * MIB, phase);
    List<Alert> alerts;
    try (RuleHarness h = new RuleHarness(LeakRulesTest.rule(LiveSetGrowthRule.NAME))) {
      alerts = h.feed(live).alerts();
    }
    String as = file + ", process start " + phase + " s into a bucket";
    if (foundWithinSeconds == 0) {
      assertThat(alerts).as(as).isEmpty();
      return;
    }
    assertThat(alerts).as(as).isNotEmpty();
    Alert first = alerts.get(0);
    assertThat((first.getLastSeenUtcNs() - Events.T0_NS) / 1e9 + phase).as(as + ": "
        + first.getSummary())
        .isLessThanOrEqualTo(foundWithinSeconds);
    assertThat(first.getPool()).isEqualTo(io.memfleet.event.MemoryPool.HEAP);
  }

  /**
   * The file's collections as LIVE_SET observations of one JVM: times are seconds after the
   * process start, or after the first collection (a JFR capture: the JVM started about 1 s
   * before it).
   */
  private static List<Observation> observations(Path file, long heapMax, double phase)
      throws Exception {
    ProcessIdentity jvm = Events.process("node-1", 100, Runtime.JVM);
    jvm.setProcessStartTimeMs((Events.T0_NS - (long) (phase * 1e9)) / 1_000_000L);
    KeyedOneInputStreamOperatorTestHarness<ProcessId, TimedEvent, Observation> h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new ObservationFunction(Duration.ofSeconds(10), 6, Duration.ofMinutes(10)),
            TimedEvent::processId, TypeInformation.of(ProcessId.class));
    h.open();
    long seq = 0;
    send(h, HeapSummary.newBuilder().setHeader(header(jvm, -phase, seq++))
        .setPhase(HeapPhase.AFTER_GC).setUsedBytes(0).setCommittedBytes(heapMax)
        .setMaxBytes(heapMax).build());
    double offset = 0;
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("# seconds_after_first_gc")) {
        offset = 1;
      }
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      double t = Double.parseDouble(f[0]) + offset - phase;
      long after = Long.parseLong(f[3]);
      GcGeneration generation = switch (f[1]) {
        case "G1New" -> "Mixed".equals(f[2]) ? GcGeneration.MIXED : GcGeneration.YOUNG;
        case "G1Old" -> GcGeneration.CONCURRENT;
        case "G1Full" -> GcGeneration.FULL;
        default -> throw new IllegalArgumentException("collector " + f[1]);
      };
      send(h, GcCycle.newBuilder().setHeader(header(jvm, t, seq++)).setGcId(seq)
          .setCollectorName(f[1]).setGeneration(generation).setHeapBeforeBytes(after)
          .setHeapAfterBytes(after)
          .setLiveBytes(generation == GcGeneration.FULL ? after : null)
          .setDurationNs(5_000_000L).setSumOfPausesNs(4_000_000L).build());
    }
    List<Observation> live = new ArrayList<>();
    for (Observation o : h.extractOutputValues()) {
      if (o.signal == Signal.LIVE_SET) {
        live.add(o);
      }
    }
    h.close();
    return live;
  }

  private static EventHeader header(ProcessIdentity p, double seconds, long seq) {
    return Events.header(p, Source.JFR, seconds, seq);
  }

  private static void send(KeyedOneInputStreamOperatorTestHarness<ProcessId, TimedEvent,
      Observation> h, SpecificRecord r) throws Exception {
    TimedEvent e = Events.aligned(r);
    h.processElement(e, e.eventTimeMs());
  }
}
