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
import io.memfleet.pipeline.model.TimedEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
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
  /** The JVMs ran with -Xmx512m. */
  private static final long HEAP_MAX = 512 * MIB;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      // file, found within (s after the process start; 0 = must raise nothing)
      "g1-session-leak.tsv, 300",
      "g1-metrics-sawtooth.tsv, 0",
      "g1-catalog-cache-fill.tsv, 0",
      "g1-session-leak-fleet.tsv, 300",
      "g1-metrics-sawtooth-fleet.tsv, 0",
      "g1-catalog-cache-fill-fleet.tsv, 0",
      "g1-session-leak-loaded.tsv, 300",
      "g1-catalog-cache-fill-loaded.tsv, 0",
  })
  void liveSetGrowthOnRealG1Collections(String file, int foundWithinSeconds) throws Exception {
    List<Observation> live = observations(Path.of("src/test/resources/golden/g1", file));
    List<Alert> alerts;
    try (RuleHarness h = new RuleHarness(LeakRulesTest.rule(LiveSetGrowthRule.NAME))) {
      alerts = h.feed(live).alerts();
    }
    if (foundWithinSeconds == 0) {
      assertThat(alerts).as(file).isEmpty();
      return;
    }
    assertThat(alerts).as(file).isNotEmpty();
    Alert first = alerts.get(0);
    assertThat((first.getLastSeenUtcNs() - Events.T0_NS) / 1e9).as(first.getSummary())
        .isLessThanOrEqualTo(foundWithinSeconds);
    assertThat(first.getPool()).isEqualTo(io.memfleet.event.MemoryPool.HEAP);
  }

  /**
   * The file's collections as LIVE_SET observations of one JVM: times are seconds after the
   * process start, or after the first collection (a JFR capture: the JVM started about 1 s
   * before it).
   */
  private static List<Observation> observations(Path file) throws Exception {
    ProcessIdentity jvm = Events.process("node-1", 100, Runtime.JVM);
    jvm.setProcessStartTimeMs(Events.T0_NS / 1_000_000L);
    KeyedOneInputStreamOperatorTestHarness<String, TimedEvent, Observation> h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new ObservationFunction(Duration.ofSeconds(10), 6, Duration.ofMinutes(10)),
            TimedEvent::processKey, Types.STRING);
    h.open();
    long seq = 0;
    send(h, HeapSummary.newBuilder().setHeader(header(jvm, 0, seq++))
        .setPhase(HeapPhase.AFTER_GC).setUsedBytes(0).setCommittedBytes(HEAP_MAX)
        .setMaxBytes(HEAP_MAX).build());
    double offset = 0;
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("# seconds_after_first_gc")) {
        offset = 1;
      }
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      double t = Double.parseDouble(f[0]) + offset;
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

  private static void send(KeyedOneInputStreamOperatorTestHarness<String, TimedEvent,
      Observation> h, SpecificRecord r) throws Exception {
    TimedEvent e = Events.aligned(r);
    h.processElement(e, e.eventTimeMs());
  }
}
