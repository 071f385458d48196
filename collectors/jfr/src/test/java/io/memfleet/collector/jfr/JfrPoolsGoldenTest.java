package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.PoolUsage;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Maps {@code resources/jfr/pools-sample.jfr} (made by {@code golden.PoolsRecording}: JDK 17,
 * stock G1, -Xmx64m, -XX:MaxDirectMemorySize=16m; an old generation filled past G1's initiating
 * occupancy and dropped, class loaders, direct buffers to their maximum, the heap to an
 * OutOfMemoryError) and compares with {@code pools-sample.expected.txt}
 * ({@code -Dmemfleet.golden.update=true} rewrites it).
 */
class JfrPoolsGoldenTest {
  private static final Path RECORDING = Path.of("src/test/resources/jfr/pools-sample.jfr");
  private static final Path EXPECTED = Path.of("src/test/resources/jfr/pools-sample.expected.txt");
  private static final List<SpecificRecord> mapped = new ArrayList<>();

  @BeforeAll
  static void map() throws Exception {
    mapped.addAll(mapped(e -> true));
  }

  /** The recording's events that {@code kept} lets through, mapped as a live stream would. */
  private static List<SpecificRecord> mapped(java.util.function.Predicate<RecordedEvent> kept)
      throws Exception {
    List<SpecificRecord> mapped = new ArrayList<>();
    ProcessIdentity process = ProcessIdentity.newBuilder().setCluster("golden").setNode("node-1")
        .setBootId("boot").setPid(4243).setProcessStartTimeMs(1_700_000_000_000L)
        .setComm("java").setRuntime(Runtime.JVM).setLabels(Map.of()).build();
    JfrEventMapper mapper = new JfrEventMapper(process, new EventHeaders("golden"), 8);
    List<RecordedEvent> recorded = new ArrayList<>(RecordingFile.readAllEvents(RECORDING));
    recorded.removeIf(kept.negate());
    recorded.sort(Comparator.comparing(RecordedEvent::getStartTime));
    // a live stream flushes about once a second: flush at each second boundary as it would
    long flushAt = recorded.get(0).getStartTime().getEpochSecond() + 1;
    for (RecordedEvent e : recorded) {
      if (e.getStartTime().getEpochSecond() >= flushAt) {
        mapped.addAll(mapper.onFlush());
        flushAt = e.getStartTime().getEpochSecond() + 1;
      }
      mapped.addAll(mapper.map(e));
    }
    mapped.addAll(mapper.onFlush());
    return mapped;
  }

  @Test
  void outputMatchesTheGoldenFile() throws Exception {
    StringBuilder text = new StringBuilder();
    for (SpecificRecord r : mapped) {
      text.append(JfrEventMapperGoldenTest.render(r)).append('\n');
    }
    if (Boolean.getBoolean("memfleet.golden.update")) {
      Files.writeString(EXPECTED, text, StandardCharsets.UTF_8);
    }
    assertThat(text.toString()).isEqualTo(Files.readString(EXPECTED, StandardCharsets.UTF_8));
  }

  @Test
  void fullCollectionsShowTheLiveSetYoungMixedAndMarkingDoNot() {
    List<GcCycle> cycles = of(GcCycle.class);
    assertThat(cycles).anySatisfy(c -> {
      assertThat(c.getGeneration()).isEqualTo(GcGeneration.MIXED);
      assertThat(c.getCollectorName()).isEqualTo("G1New (Mixed)");
      // old regions G1 did not choose keep their garbage: not the live set
      assertThat(c.getLiveBytes()).isNull();
    });
    assertThat(cycles).filteredOn(c -> c.getGeneration() == GcGeneration.FULL)
        .isNotEmpty().allSatisfy(c -> assertThat(c.getLiveBytes())
            .isEqualTo(c.getHeapAfterBytes()));
    assertThat(cycles).anySatisfy(c -> {
      assertThat(c.getCollectorName()).isEqualTo("G1Old");
      assertThat(c.getGeneration()).isEqualTo(GcGeneration.CONCURRENT);
      assertThat(c.getLiveBytes()).isNull();
    });
    assertThat(cycles).filteredOn(c -> c.getGeneration() == GcGeneration.YOUNG).isNotEmpty()
        .allSatisfy(c -> assertThat(c.getLiveBytes()).isNull());
  }

  @Test
  void metaspaceDirectBuffersAndCodeCacheArePools() {
    List<PoolUsage> usages = of(MemoryPools.class).stream()
        .flatMap(p -> p.getPools().stream()).toList();
    assertThat(usages).extracting(PoolUsage::getPool).contains(MemoryPool.METASPACE,
        MemoryPool.CLASS_SPACE, MemoryPool.DIRECT_BUFFERS, MemoryPool.CODE_CACHE);
    assertThat(usages).filteredOn(u -> u.getPool() == MemoryPool.DIRECT_BUFFERS)
        .anySatisfy(u -> {
          assertThat(u.getLimitBytes()).isEqualTo(16L << 20);
          assertThat(u.getUsedBytes()).isGreaterThanOrEqualTo(15L << 20);
        });
    assertThat(of(MemoryPools.class)).allSatisfy(p -> assertThat(p.getSettings())
        .containsEntry("gc", "G1New/G1Old"));
  }

  @Test
  void directBufferAndHeapExhaustionAreOutOfMemoryErrors() {
    List<OomKill> oomes = of(OomKill.class);
    assertThat(oomes).allSatisfy(o -> {
      assertThat(o.getDetectedBy()).isEqualTo(OomDetection.JAVA_OUT_OF_MEMORY);
      assertThat(o.getVictimComm()).isEqualTo("java");
    });
    assertThat(oomes).extracting(OomKill::getPool)
        .containsExactly(MemoryPool.DIRECT_BUFFERS, MemoryPool.HEAP);
    assertThat(oomes.get(1).getErrorMessage()).startsWith("Java heap space (inferred");
  }

  @Test
  void aHeapOutOfMemoryErrorIsInferredWithoutTheHeapConfigurationToo() throws Exception {
    // a stream that began in a busy JVM may never see the chunk-start jdk.GCHeapConfiguration
    // (the in-process agent on JDK 25, 18 s into jvm-oome's life): the heap's reserved size,
    // from its summaries, is its maximum then
    List<OomKill> oomes = mapped(e -> !"jdk.GCHeapConfiguration".equals(e.getEventType().getName()))
        .stream().filter(OomKill.class::isInstance).map(OomKill.class::cast).toList();
    assertThat(oomes).extracting(OomKill::getPool).contains(MemoryPool.HEAP);
    assertThat(oomes).filteredOn(o -> o.getPool() == MemoryPool.HEAP).singleElement()
        .satisfies(o -> assertThat(o.getErrorMessage()).isEqualTo(of(OomKill.class).get(1)
            .getErrorMessage()));
  }

  private static <T> List<T> of(Class<T> type) {
    return mapped.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
