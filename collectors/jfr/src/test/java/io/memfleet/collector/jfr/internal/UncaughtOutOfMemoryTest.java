package io.memfleet.collector.jfr.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UncaughtOutOfMemoryTest {
  private static final ProcessIdentity SELF = ProcessIdentity.newBuilder().setCluster("c")
      .setNode("n").setBootId("b").setPid(42).setProcessStartTimeMs(1_700_000_000_000L)
      .setComm("java").setRuntime(Runtime.JVM).setService("exporter").setLabels(Map.of())
      .build();

  @Test
  void anOutOfMemoryErrorThatEndsAThreadIsReportedWithThePoolItNames() {
    List<String> passedOn = new ArrayList<>();
    UncaughtOutOfMemory h = new UncaughtOutOfMemory((t, e) -> passedOn.add(e.getMessage()));
    assertThat(h.report(SELF, new EventHeaders("agent"))).isNull();

    long before = System.currentTimeMillis();
    Thread worker = new Thread(() -> { }, "report-writer");
    h.uncaughtException(worker, new IllegalStateException("not memory"));
    // the agent's own threads may get the error too: not the program's thread ending
    h.uncaughtException(new Thread(() -> { },
        "kafka-producer-network-thread | memfleet-jfr-agent_vm_42_1700000000000"),
        new OutOfMemoryError("Java heap space"));
    h.uncaughtException(new Thread(() -> { }, "memfleet-jfr-agent-stream"),
        new OutOfMemoryError("Java heap space"));
    assertThat(h.report(SELF, new EventHeaders("agent"))).isNull();
    h.uncaughtException(worker, new OutOfMemoryError("Java heap space"));
    h.uncaughtException(worker, new OutOfMemoryError("Metaspace")); // the first one counts
    assertThat(passedOn).as("the handler before it still sees every error")
        .containsExactly("not memory", "Java heap space", "Java heap space", "Java heap space",
            "Metaspace");

    OomKill kill = h.report(SELF, new EventHeaders("agent"));
    assertThat(kill.getDetectedBy()).isEqualTo(OomDetection.JAVA_OUT_OF_MEMORY);
    assertThat(kill.getPool()).isEqualTo(MemoryPool.HEAP);
    assertThat(kill.getErrorMessage())
        .isEqualTo("Java heap space (uncaught in thread \"report-writer\")");
    assertThat(kill.getVictimComm()).isEqualTo("java");
    assertThat(kill.getHeader().getProcess()).isEqualTo(SELF);
    assertThat(kill.getHeader().getRawTimestamp() / 1_000_000L)
        .isBetween(before, System.currentTimeMillis());
  }

  @Test
  void hotSpotsMessagesNameTheirPools() {
    assertThat(UncaughtOutOfMemory.pool("Java heap space")).isEqualTo(MemoryPool.HEAP);
    assertThat(UncaughtOutOfMemory.pool("GC overhead limit exceeded")).isEqualTo(MemoryPool.HEAP);
    assertThat(UncaughtOutOfMemory.pool("Requested array size exceeds VM limit"))
        .isEqualTo(MemoryPool.HEAP);
    assertThat(UncaughtOutOfMemory.pool("Metaspace")).isEqualTo(MemoryPool.METASPACE);
    assertThat(UncaughtOutOfMemory.pool("Compressed class space"))
        .isEqualTo(MemoryPool.CLASS_SPACE);
    assertThat(UncaughtOutOfMemory.pool("Direct buffer memory"))
        .isEqualTo(MemoryPool.DIRECT_BUFFERS);
    assertThat(UncaughtOutOfMemory.pool("Cannot reserve 1048576 bytes of direct buffer memory "
        + "(allocated: 16777216, limit: 16777216)")).isEqualTo(MemoryPool.DIRECT_BUFFERS);
    assertThat(UncaughtOutOfMemory.pool("unable to create native thread: possibly out of "
        + "memory or process/resource limits reached")).isEqualTo(MemoryPool.THREAD_STACKS);
    assertThat(UncaughtOutOfMemory.pool(null)).isEqualTo(MemoryPool.UNKNOWN);
    assertThat(UncaughtOutOfMemory.pool("something else")).isEqualTo(MemoryPool.UNKNOWN);
  }
}
