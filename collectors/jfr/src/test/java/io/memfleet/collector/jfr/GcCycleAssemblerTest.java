package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.GcCycle;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class GcCycleAssemblerTest {
  private static final long MB = 1L << 20;
  private static final long T0 = 1_800_000_000_000_000_000L;

  private final ProcessIdentity process = ProcessIdentity.newBuilder().setCluster("test")
      .setNode("node-1").setBootId("boot").setPid(7).setProcessStartTimeMs(1L).setComm("java")
      .setRuntime(Runtime.JVM).setLabels(Map.of()).build();
  private long sequence;
  private final GcCycleAssembler gcs = new GcCycleAssembler(ns -> EventHeader.newBuilder()
      .setProcess(process).setSource(Source.JFR).setClockDomain(ClockDomain.REALTIME)
      .setRawTimestamp(ns).setCollector("test").setSequence(sequence++).build(), "java");

  /** One whole collection: its JFR events in the order a stream delivers them. */
  private List<SpecificRecord> collect(long gcId, String name, String cause, double atSeconds) {
    long start = T0 + (long) (atSeconds * 1e9);
    List<SpecificRecord> out = new ArrayList<>();
    out.addAll(gcs.heapSummary(gcId, true, 40 * MB));
    out.addAll(gcs.heapSummary(gcId, false, 38 * MB));
    out.addAll(gcs.collection(gcId, name, cause, start, 30_000_000L, 30_000_000L));
    return out;
  }

  private static List<OomKill> kills(List<SpecificRecord> records) {
    return records.stream().filter(OomKill.class::isInstance).map(OomKill.class::cast).toList();
  }

  @Test
  void theCollectionAStopTheWorldJvmRunsWhenMetaspaceIsExhaustedIsItsOutOfMemoryError() {
    // JDK 17 G1, -XX:MaxMetaspaceSize=64m, class loaders kept: metaspace's threshold asks for
    // collections all along; when one does not make room the JVM clears soft references for it
    // and then throws "OutOfMemoryError: Metaspace"
    gcs.maxHeapBytes(4096 * MB);
    List<SpecificRecord> threshold = collect(1, "G1Full", "Metadata GC Threshold", 54.0);
    assertThat(threshold).hasSize(1).first().isInstanceOf(GcCycle.class);
    assertThat(kills(threshold)).isEmpty();

    List<SpecificRecord> clearing =
        collect(2, "G1Full", "Metadata GC Clear Soft References", 54.05);
    List<OomKill> kill = kills(clearing);
    assertThat(kill).hasSize(1);
    assertThat(kill.get(0).getPool()).isEqualTo(MemoryPool.METASPACE);
    assertThat(kill.get(0).getDetectedBy()).isEqualTo(OomDetection.JAVA_OUT_OF_MEMORY);
    assertThat(kill.get(0).getErrorMessage()).startsWith("Metaspace (inferred")
        .contains("Metadata GC Clear Soft References");
    assertThat(kill.get(0).getVictimComm()).isEqualTo("java");

    // the same pair again 0.1 s later: one report
    collect(3, "G1Full", "Metadata GC Threshold", 54.1);
    assertThat(kills(collect(4, "G1Full", "Metadata GC Clear Soft References", 54.15)))
        .isEmpty();
    // a concurrent collector's last-ditch collection, later on, is one too
    assertThat(kills(collect(5, "Z", "Last ditch collection", 80.0))).hasSize(1);
  }
}
