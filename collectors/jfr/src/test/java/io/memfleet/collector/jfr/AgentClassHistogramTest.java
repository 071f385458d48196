package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.jfr.attach.ClassHistogram;
import io.memfleet.collector.jfr.repository.JvmSignals;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's class histogram of its own JVM, through the DiagnosticCommand MBean. */
class AgentClassHistogramTest {
  private static final ProcessIdentity SELF = ProcessIdentity.newBuilder().setCluster("c")
      .setNode("n").setBootId("b").setPid(42).setProcessStartTimeMs(1_700_000_000_000L)
      .setComm("java").setRuntime(Runtime.JVM).setService("search").setLabels(Map.of())
      .build();

  /** A program class holding an array, as a leak's holder does. */
  static final class QueryTrace {
    final double[] scores = new double[128];
  }

  @Test
  void theJvmsOwnHistogramNamesAProgramClassByItsInstances() throws Exception {
    List<QueryTrace> kept = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      kept.add(new QueryTrace());
    }
    List<ClassHistogram.Row> rows = ClassHistogram.parse(JfrAgent.classHistogramText());
    String name = QueryTrace.class.getName();
    ClassHistogram.Row row = rows.stream().filter(r -> r.className().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in the histogram: " + rows.size()
            + " rows"));
    assertThat(row.instances()).isGreaterThanOrEqualTo(kept.size());
    assertThat(row.programClass()).isTrue();

    List<Allocation> events =
        JvmSignals.classHistogramEvents(rows, SELF, new EventHeaders("agent"), 5_000_000_000L);
    assertThat(events).hasSizeBetween(1, 16)
        .allMatch(a -> a.getKind() == AllocationKind.JAVA_HEAP_CLASS)
        .allMatch(a -> a.getHeader().getRawTimestamp() == 5_000_000_000L);
    Allocation traces = events.stream().filter(a -> a.getObjectClass().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not among the program classes kept"));
    assertThat(traces.getInstances()).isEqualTo(row.instances());
    assertThat(traces.getOutstandingBytes()).isEqualTo(row.bytes());
    assertThat(traces.getSizeBytes()).isEqualTo(row.bytes() / row.instances());
    assertThat(kept).hasSize(20_000); // kept reachable until the histogram was read
  }
}
