package io.memfleet.collector.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.bpftrace.BpftraceRunner;
import io.memfleet.collector.ebpf.bpftrace.BpftraceScript;
import io.memfleet.collector.ebpf.publish.OomKillPublisher;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.localstack.testing.Capabilities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real cgroup v1 OOM kill, seen through oom:mark_victim by the oom script. */
class OomKillIT {
  private static final Path MEMORY_CGROUPS = Path.of("/sys/fs/cgroup/memory");
  private static final long LIMIT = 32L << 20;
  @TempDir Path dir;

  @Test
  void cgroupOomKillIsPublishedAsOomKill() throws Exception {
    Path bpftrace = Tracing.requireBpftrace();
    Capabilities.require(Files.isWritable(MEMORY_CGROUPS.resolve("cgroup.procs")),
        "a writable cgroup v1 memory controller at " + MEMORY_CGROUPS);
    Path cgroup = MEMORY_CGROUPS.resolve("memfleet-ebpf-it-" + UUID.randomUUID()
        .toString().substring(0, 8));
    RecordingEventSink sink = new RecordingEventSink();
    OomKillPublisher publisher = new OomKillPublisher(sink, new EventHeaders("ebpf/it"),
        ProcessIdentities.fromEnvironment());
    Files.createDirectory(cgroup);
    try (BpftraceRunner runner = BpftraceRunner.builder().bpftrace(bpftrace)
        .script(BpftraceScript.OOM, Map.of()).listener(publisher).workDir(dir).build()) {
      Files.writeString(cgroup.resolve("memory.limit_in_bytes"), Long.toString(LIMIT));
      runner.start();
      assertThat(runner.awaitAttached(Duration.ofSeconds(40))).isTrue();
      // the shell joins the cgroup, then becomes the demo: 40 blocks of 1 MiB a second
      String join = "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec \"$0\" \"$@\"";
      int victimPid;
      try (NativeDemo hog = NativeDemo.startWrapped(List.of("sh", "-c", join), "leaky",
          "40", "1048576", "20", "0")) {
        victimPid = hog.pid();
        // a watched process is known before it dies (read now: it is already in the cgroup)
        publisher.remember(ProcessIdentities.fromEnvironment().forPid(victimPid));
        assertThat(hog.process().waitFor(30, TimeUnit.SECONDS)).as("OOM-killed").isTrue();
        assertThat(hog.process().exitValue()).isEqualTo(137);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sink.eventsOf(OomKill.class).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      OomKill kill = sink.eventsOf(OomKill.class).stream()
          .filter(k -> k.getHeader().getProcess().getPid() == victimPid).findFirst()
          .orElseThrow(() -> new AssertionError("no OomKill for " + victimPid + " in "
              + sink.events()));
      assertThat(kill.getDetectedBy()).isEqualTo(OomDetection.TRACEPOINT);
      assertThat(kill.getVictimComm()).isEqualTo("leaky");
      assertThat(kill.getRssBytesAtKill()).isBetween(LIMIT / 2, LIMIT + (8L << 20));
      assertThat(kill.getCgroupPath()).isEqualTo("/" + cgroup.getFileName());
      assertThat(kill.getCgroupLimitBytes()).isEqualTo(LIMIT);
      assertThat(Files.readString(cgroup.resolve("memory.oom_control")))
          .contains("oom_kill 1");
    } finally {
      for (int i = 0; i < 50 && Files.exists(cgroup); i++) {
        try {
          Files.delete(cgroup);
        } catch (java.io.IOException e) {
          Thread.sleep(100); // the killed task may still be leaving the cgroup
        }
      }
    }
  }
}
