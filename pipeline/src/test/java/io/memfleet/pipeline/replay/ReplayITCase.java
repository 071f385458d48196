package io.memfleet.pipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.EventHeader;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcGeneration;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trace written as a recording would be (Kafka records of the event topics) replayed through
 * the real pipeline on a local Flink environment: the leaking process is found, the flat one is
 * not, and the replay of 30 minutes of event time takes seconds.
 */
class ReplayITCase {
  private static final long MB = 1L << 20;
  private static final EventCodec CODEC = EventCodec.fromClasspath();

  @TempDir Path dir;

  @Test
  void aRecordedLeakIsFoundWhenReplayedAndAFlatHeapIsNot() throws Exception {
    long t0Ns = (System.currentTimeMillis() - 3_600_000L) * 1_000_000L;
    ProcessIdentity leaky = process(101);
    ProcessIdentity flat = process(202);
    Path trace = dir.resolve("leak.mftrace");
    long offset = 0;
    try (Trace.Writer w = Trace.writer(trace)) {
      for (int s = 0; s <= 1800; s += 5) {
        long t = t0Ns + s * 1_000_000_000L;
        // 1 MiB/s from 200 MiB, full collections every 5 s (so the live set is exact)
        write(w, fullGc(header(leaky, t, s), 200 * MB + s * MB), offset++, t);
        write(w, fullGc(header(flat, t + 300_000_000L, s), 300 * MB + (s % 60) * MB / 4),
            offset++, t);
      }
    }
    Replay.Result r = Replay.run(trace, new Configuration(), 1, dir.resolve("out"));
    System.out.println("ReplayITCase: 30 min of event time replayed in " + r.took().toMillis()
        + " ms");
    assertThat(r.alerts()).isNotEmpty().allSatisfy(a -> assertThat(a.getProcess().getPid())
        .isEqualTo(101));
    Alert first = r.alerts().get(0);
    assertThat(first.getRule()).isEqualTo("live-set-growth");
    assertThat(first.getGrowthBytesPerSecond()).isBetween(0.9 * MB, 1.1 * MB);
    assertThat(r.deadLetters()).isZero();
  }

  private static void write(Trace.Writer w, SpecificRecord e, long offset, long tNs)
      throws Exception {
    w.write(RawRecord.of(Topics.forRecord(e), 0, offset, tNs / 1_000_000L,
        Topics.key(io.memfleet.schema.codec.Events.header(e).getProcess()), CODEC.encode(e)));
  }

  private static ProcessIdentity process(int pid) {
    return ProcessIdentity.newBuilder().setCluster("replay").setNode("node-1")
        .setBootId("boot-1").setPid(pid).setProcessStartTimeMs(1_700_000_000_000L)
        .setComm("java").setRuntime(Runtime.JVM).setService("svc-" + pid).setLabels(Map.of())
        .build();
  }

  private static EventHeader header(ProcessIdentity p, long tNs, long seq) {
    return EventHeader.newBuilder().setProcess(p).setSource(Source.JFR)
        .setClockDomain(ClockDomain.REALTIME).setRawTimestamp(tNs).setCollector("replay-test")
        .setSequence(seq).build();
  }

  private static GcCycle fullGc(EventHeader h, long live) {
    return GcCycle.newBuilder().setHeader(h).setGcId(h.getSequence())
        .setCollectorName("G1Full").setGeneration(GcGeneration.FULL)
        .setHeapBeforeBytes(live + 64 * MB).setHeapAfterBytes(live).setLiveBytes(live)
        .setDurationNs(30_000_000L).setSumOfPausesNs(30_000_000L).build();
  }

  static List<Alert> of(Replay.Result r, int pid) {
    return r.alerts().stream().filter(a -> a.getProcess().getPid() == pid).toList();
  }
}
