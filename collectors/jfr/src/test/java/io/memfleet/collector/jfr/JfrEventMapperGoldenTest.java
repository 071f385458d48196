package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.ThreadCount;
import io.memfleet.schema.codec.Events;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Maps a real recording ({@code resources/jfr/leaky-sample.jfr}, made by {@code SampleRecording}
 * on the development machine: JDK 17, G1, -Xmx64m, a growing leak and three System.gc() calls)
 * and compares the output with {@code resources/jfr/leaky-sample.expected.txt}. To regenerate the
 * expected file after an intended change, run with {@code -Dmemfleet.golden.update=true} and
 * review the diff.
 */
class JfrEventMapperGoldenTest {
  private static final Path RECORDING = Path.of("src/test/resources/jfr/leaky-sample.jfr");
  private static final Path EXPECTED = Path.of("src/test/resources/jfr/leaky-sample.expected.txt");
  private static List<SpecificRecord> mapped;
  private static List<RecordedEvent> recorded;

  @BeforeAll
  static void map() throws Exception {
    ProcessIdentity process = ProcessIdentity.newBuilder().setCluster("golden").setNode("node-1")
        .setBootId("boot").setPid(4242).setProcessStartTimeMs(1_700_000_000_000L)
        .setComm("java").setRuntime(Runtime.JVM).setLabels(Map.of()).build();
    JfrEventMapper mapper = new JfrEventMapper(process, new EventHeaders("golden"), 8);
    mapped = new ArrayList<>();
    // a live stream is ordered by start time (per flush); a file is not, so sort like the stream
    recorded = new ArrayList<>(RecordingFile.readAllEvents(RECORDING));
    recorded.sort(java.util.Comparator.comparing(RecordedEvent::getStartTime));
    for (RecordedEvent e : recorded) {
      mapped.addAll(mapper.map(e));
    }
    mapped.addAll(mapper.onFlush());
  }

  @Test
  void outputMatchesTheGoldenFile() throws Exception {
    StringBuilder text = new StringBuilder();
    for (SpecificRecord r : mapped) {
      text.append(render(r)).append('\n');
    }
    if (Boolean.getBoolean("memfleet.golden.update")) {
      Files.writeString(EXPECTED, text, StandardCharsets.UTF_8);
    }
    assertThat(text.toString()).isEqualTo(Files.readString(EXPECTED, StandardCharsets.UTF_8));
  }

  @Test
  void everyRecordedEventOfOurTypesIsMapped() {
    long samples = count("jdk.ObjectAllocationSample");
    long old = count("jdk.OldObjectSample");
    assertThat(samples).isPositive();
    assertThat(old).isPositive();
    assertThat(allocations(AllocationKind.JAVA_SAMPLE)).hasSize((int) samples);
    assertThat(allocations(AllocationKind.JAVA_OLD_OBJECT)).hasSize((int) old);
    assertThat(of(GcCycle.class)).hasSize((int) count("jdk.GarbageCollection"));
    assertThat(of(HeapSummary.class)).hasSize((int) count("jdk.GCHeapSummary"));
    assertThat(of(ThreadCount.class)).hasSize((int) count("jdk.JavaThreadStatistics"));
  }

  @Test
  void gcCyclesCarryTheirAfterGcSummaryAndShowTheLeak() {
    List<GcCycle> cycles = of(GcCycle.class);
    assertThat(cycles).hasSize(3).allSatisfy(c -> {
      assertThat(c.getGeneration()).isEqualTo(GcGeneration.FULL);
      assertThat(c.getForced()).isTrue();
      HeapSummary after = of(HeapSummary.class).stream()
          .filter(h -> h.getGcId() == c.getGcId() && h.getPhase() == HeapPhase.AFTER_GC)
          .findFirst().orElseThrow();
      assertThat(c.getHeapAfterBytes()).isEqualTo(after.getUsedBytes());
      assertThat(c.getLiveBytes()).isEqualTo(after.getUsedBytes());
      assertThat(after.getMaxBytes()).isEqualTo(64L << 20); // -Xmx64m, from GCHeapConfiguration
    });
    // 200 x 8 KiB retained per round
    assertThat(cycles.get(1).getHeapAfterBytes()).isGreaterThan(cycles.get(0).getHeapAfterBytes());
    assertThat(cycles.get(2).getHeapAfterBytes()).isGreaterThan(cycles.get(1).getHeapAfterBytes());
  }

  @Test
  void oldObjectsHaveClassAgeAndAllocationTime() {
    List<Allocation> old = allocations(AllocationKind.JAVA_OLD_OBJECT);
    assertThat(old).anySatisfy(a -> assertThat(a.getObjectClass()).isEqualTo("byte[]"));
    assertThat(old).allSatisfy(a -> {
      assertThat(a.getAgeNs()).isNotNull().isNotNegative();
      assertThat(a.getAllocationTimeRaw()).isLessThanOrEqualTo(a.getHeader().getRawTimestamp());
      assertThat(a.getStack()).isNotNull();
    });
  }

  @Test
  void timestampsAreJfrsEpochConversionAndSequencesIncrease() {
    long first = JfrEventMapper.epochNanos(recorded.get(0).getStartTime());
    assertThat(mapped).allSatisfy(r -> assertThat(Events.header(r).getRawTimestamp())
        .isBetween(first - 10_000_000_000L, first + 10_000_000_000L));
    List<Long> seq = mapped.stream().map(r -> Events.header(r).getSequence()).toList();
    assertThat(seq).isSorted().doesNotHaveDuplicates();
  }

  private static long count(String type) {
    return recorded.stream().filter(e -> e.getEventType().getName().equals(type)).count();
  }

  private static <T> List<T> of(Class<T> type) {
    return mapped.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static List<Allocation> allocations(AllocationKind kind) {
    return of(Allocation.class).stream().filter(a -> a.getKind() == kind).toList();
  }

  /** One line: kind, sequence, raw timestamp, then every field but the header. */
  static String render(SpecificRecord r) {
    var h = Events.header(r);
    StringBuilder b = new StringBuilder(Events.kind(r)).append(" seq=").append(h.getSequence())
        .append(" t=").append(h.getRawTimestamp()).append(" ").append(h.getClockDomain());
    for (Schema.Field f : r.getSchema().getFields()) {
      if (!f.name().equals(Events.HEADER_FIELD)) {
        b.append(' ').append(f.name()).append('=').append(r.get(f.pos()));
      }
    }
    return b.toString();
  }
}
