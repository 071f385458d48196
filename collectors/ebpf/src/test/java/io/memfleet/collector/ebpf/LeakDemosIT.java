package io.memfleet.collector.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.bpftrace.BpftraceRunner;
import io.memfleet.collector.ebpf.bpftrace.BpftraceScript;
import io.memfleet.collector.ebpf.publish.NativeMemoryPublisher;
import io.memfleet.collector.ebpf.stack.ModuleMap;
import io.memfleet.collector.ebpf.track.OutstandingAllocations.StackTotal;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.PageFault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real kernel, real bpftrace, the bundled demos: the leaky program's outstanding bytes grow
 * and point at leak_blocks; the control program's stay flat; leaked mappings are visible.
 */
class LeakDemosIT {
  private static final long BLOCK = 4096;
  private static final long SAMPLE_EVERY = 10;
  @TempDir Path dir;

  private final ProcessIdentities identities = ProcessIdentities.fromEnvironment();
  private final EventHeaders headers = new EventHeaders("ebpf/it");

  private BpftraceRunner runner(Path bpftrace, BpftraceScript script, int pid,
      NativeMemoryPublisher listener) {
    Map<String, String> p = new HashMap<>();
    p.put("PID", Integer.toString(pid));
    p.put("LIBC", ModuleMap.allocatorImage(pid).orElseThrow().toString());
    p.put("SAMPLE_EVERY", Long.toString(SAMPLE_EVERY));
    p.put("MIN_SIZE", "65536");
    p.put("STACK_DEPTH", "16");
    p.put("STATS_SECONDS", "1");
    p.put("SELF_PID", Long.toString(ProcessHandle.current().pid()));
    p.put("BUDGET", "1000");
    p.put("THREAD_SIZE", "16384");
    p.put("BTF", java.nio.file.Files.isReadable(Path.of("/sys/kernel/btf/vmlinux")) ? "1" : "0");
    return BpftraceRunner.builder().bpftrace(bpftrace).script(script, p).targetPid(pid)
        .listener(listener).workDir(dir).build();
  }

  private NativeMemoryPublisher publisher(RecordingEventSink sink, int pid) throws Exception {
    return NativeMemoryPublisher.builder().sink(sink).headers(headers)
        .process(identities.forPid(pid)).build();
  }

  private static long total(List<StackTotal> totals) {
    return totals.stream().mapToLong(StackTotal::estimatedBytes).sum();
  }

  @Test
  void outstandingBytesGrowAtLeakBlocksAndStayFlatForControl() throws Exception {
    Path bpftrace = Tracing.requireBpftrace();
    RecordingEventSink leakySink = new RecordingEventSink();
    RecordingEventSink controlSink = new RecordingEventSink();
    try (NativeDemo leaky = NativeDemo.start("leaky", "200", "4096", "0", "0");
        NativeDemo control = NativeDemo.start("control", "200", "4096", "0", "0")) {
      NativeMemoryPublisher leakyPub = publisher(leakySink, leaky.pid());
      NativeMemoryPublisher controlPub = publisher(controlSink, control.pid());
      try (BpftraceRunner l = runner(bpftrace, BpftraceScript.MALLOC, leaky.pid(), leakyPub);
          BpftraceRunner c = runner(bpftrace, BpftraceScript.MALLOC, control.pid(),
              controlPub)) {
        l.start();
        c.start();
        assertThat(l.awaitAttached(Duration.ofSeconds(40))).as("leaky attached").isTrue();
        assertThat(c.awaitAttached(Duration.ofSeconds(20))).as("control attached").isTrue();
        Thread.sleep(3000);
        long leakyFirst = total(leakyPub.outstanding(System.nanoTime(), Duration.ofSeconds(1)));
        long controlFirst = total(controlPub.outstanding(System.nanoTime(), Duration.ZERO));
        Thread.sleep(4000);
        List<StackTotal> leakyTop = leakyPub.outstanding(System.nanoTime(),
            Duration.ofSeconds(1));
        long controlSecond = total(controlPub.outstanding(System.nanoTime(), Duration.ZERO));

        // 200 blocks/s of 4 KiB leak ~800 KiB/s; 4 s more must show well over 1 MiB more
        assertThat(total(leakyTop)).as("leaky outstanding: first %d, now %s; %s; allocs %d",
            leakyFirst, leakyTop, leakyPub.describeCounters(),
            leakySink.eventsOf(io.memfleet.event.Allocation.class).size())
            .isGreaterThan(leakyFirst + (1 << 20));
        assertThat(leakyTop.get(0).stack().getFrames().get(0)).isEqualTo("leak_blocks");
        assertThat(leakyTop.get(0).stack().getFrames()).contains("run_loop", "main");
        // control keeps 16 blocks live: at most 16 sampled blocks of 4 KiB, each worth 10
        long bound = 16 * BLOCK * SAMPLE_EVERY;
        assertThat(controlFirst).isLessThanOrEqualTo(bound);
        assertThat(controlSecond).isLessThanOrEqualTo(bound);
        assertThat(controlSink.eventsOf(io.memfleet.event.Free.class)).isNotEmpty();
        assertThat(l.stats().malformedLines() + c.stats().malformedLines()).isZero();
        assertThat(l.stats().errorLines() + c.stats().errorLines()).isZero();
      }
    }
  }

  @Test
  void aStaticBinaryIsProbedInItsOwnMalloc() throws Exception {
    // probes on the executable trap only in that program, not in every user of the shared libc
    Path bpftrace = Tracing.requireBpftrace();
    RecordingEventSink sink = new RecordingEventSink();
    try (NativeDemo leaky = NativeDemo.startStatic("leaky", "200", "4096", "0", "0")) {
      assertThat(ModuleMap.readOrEmpty(leaky.pid()).libc()).isEmpty();
      assertThat(ModuleMap.allocatorImage(leaky.pid())).contains(
          NativeDemo.binary("leaky", true).toRealPath());
      NativeMemoryPublisher pub = publisher(sink, leaky.pid());
      try (BpftraceRunner r = runner(bpftrace, BpftraceScript.MALLOC, leaky.pid(), pub)) {
        r.start();
        assertThat(r.awaitAttached(Duration.ofSeconds(40))).as("attached").isTrue();
        Thread.sleep(3000);
        long first = total(pub.outstanding(System.nanoTime(), Duration.ofSeconds(1)));
        Thread.sleep(4000);
        List<StackTotal> top = pub.outstanding(System.nanoTime(), Duration.ofSeconds(1));
        assertThat(total(top)).as("outstanding: first %d, now %s", first, top)
            .isGreaterThan(first + (1 << 20));
        assertThat(top.get(0).stack().getFrames().get(0)).isEqualTo("leak_blocks");
        assertThat(r.stats().errorLines()).isZero();
      }
    }
  }

  @Test
  void faultedInBytesPointAtTheLeakingFunctionThroughMalloc() throws Exception {
    Path bpftrace = Tracing.requireBpftrace();
    RecordingEventSink sink = new RecordingEventSink();
    // 2000 blocks/s of 200 bytes: ~100 fresh heap pages a second, first touched inside glibc's
    // _int_malloc (no frame pointers): the walk alone ends there, the stack scan goes on
    try (NativeDemo leaky = NativeDemo.start("leaky", "2000", "200", "0", "0")) {
      NativeMemoryPublisher pub = publisher(sink, leaky.pid());
      try (BpftraceRunner f = runner(bpftrace, BpftraceScript.FAULTS, leaky.pid(), pub)) {
        f.start();
        assertThat(f.awaitAttached(Duration.ofSeconds(40))).as("faults attached").isTrue();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (pub.faultWindow().samples() < 10 && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        f.close();
        pub.flushFaults();
        List<PageFault> faults = sink.eventsOf(PageFault.class);
        assertThat(pub.faultWindow().samples()).as(pub.describeCounters())
            .isGreaterThanOrEqualTo(10);
        assertThat(pub.recoveredFaultStacks()).isPositive();
        var top = pub.faultedIn(1).get(0);
        assertThat(top.stack().getFrames()).as(top.toString()).containsSubsequence(
            "leak_blocks", "run_loop", "main");
        // the window summed the samples per stack: one event per stack, count = their faults
        assertThat(faults.stream()
            .filter(e -> e.getStack() != null && e.getStack().getHash() == top.stack().getHash())
            .mapToLong(PageFault::getCount).sum()).isEqualTo(top.faults());
        assertThat(f.stats().malformedLines() + f.stats().errorLines()).isZero();
      }
    }
  }

  @Test
  void leakedMappingsShowAsGrowingOutstandingMappedBytes() throws Exception {
    Path bpftrace = Tracing.requireBpftrace();
    RecordingEventSink sink = new RecordingEventSink();
    RecordingEventSink controlSink = new RecordingEventSink();
    // one 64 KiB mapping every 5 blocks at 200 blocks/s: 40 mappings (2.5 MiB) a second
    try (NativeDemo leaky = NativeDemo.start("leaky", "200", "64", "0", "5");
        NativeDemo control = NativeDemo.start("control", "200", "64", "0", "5")) {
      NativeMemoryPublisher leakyPub = publisher(sink, leaky.pid());
      NativeMemoryPublisher controlPub = publisher(controlSink, control.pid());
      try (BpftraceRunner l = runner(bpftrace, BpftraceScript.MMAP, leaky.pid(), leakyPub);
          BpftraceRunner c = runner(bpftrace, BpftraceScript.MMAP, control.pid(), controlPub)) {
        l.start();
        c.start();
        assertThat(l.awaitAttached(Duration.ofSeconds(40))).as("leaky attached").isTrue();
        assertThat(c.awaitAttached(Duration.ofSeconds(20))).as("control attached").isTrue();
        Thread.sleep(2000);
        long first = leakyPub.outstandingMappedBytes();
        Thread.sleep(3000);
        long second = leakyPub.outstandingMappedBytes();
        assertThat(second - first).isGreaterThan(2L << 20);
        List<MemoryMapping> maps = sink.eventsOf(MemoryMapping.class);
        assertThat(maps).filteredOn(m -> m.getOp() == MappingOp.MMAP)
            .allSatisfy(m -> assertThat(m.getLengthBytes()).isEqualTo(65536));
        assertThat(maps).noneMatch(m -> m.getOp() == MappingOp.MUNMAP);
        // control unmaps what it maps: at most the one mapping in flight plus heap growth
        assertThat(controlPub.outstandingMappedBytes()).isLessThan(1L << 20);
        assertThat(controlSink.eventsOf(MemoryMapping.class))
            .anyMatch(m -> m.getOp() == MappingOp.MUNMAP);
      }
    }
  }
}
