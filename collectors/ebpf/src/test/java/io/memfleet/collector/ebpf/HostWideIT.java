package io.memfleet.collector.ebpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.bpftrace.BpftraceRunnerStats;
import io.memfleet.collector.ebpf.track.TracedProcesses;
import io.memfleet.collector.testing.PublishedEvents;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.EventHeader;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.PageFault;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.StackTrace;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.Events;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memfleet ebpf} without {@code --pid} on the real kernel: every process of the host is
 * traced, and two real C programs — built as production code is ({@code gcc -O1 -g
 * -fno-omit-frame-pointer}, glibc dynamically linked) — are found among them and named by their
 * leaking functions: {@code leak_request_buffer} (malloc, seen only as faulted-in pages: no
 * allocator probes) and {@code map_segment} (mmap). And with {@code --cgroup}, only the processes
 * of that memory cgroup.
 */
class HostWideIT {
  private static final List<String> GCC = List.of("-O1", "-g", "-fno-omit-frame-pointer");
  private static final String SOURCES = "/io/memfleet/collector/ebpf/hostwide/";
  @TempDir Path dir;

  @Test
  void everyProcessIsTracedAndTheLeakingFunctionsAreNamed() throws Exception {
    Tracing.requireBpftrace();
    Path requestLeak = NativeDemo.compile(SOURCES + "request_leak.c", GCC);
    Path segmentLeak = NativeDemo.compile(SOURCES + "segment_leak.c", GCC);
    int self = (int) ProcessHandle.current().pid();
    ProcessIdentity requests;
    ProcessIdentity segments;
    List<SpecificRecord> events;
    TracedProcesses.Stats whileRunning;
    try (KafkaBroker kafka = TestServers.kafka(dir)) {
      kafka.createTopics(Topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList());
      try (KafkaEventSink sink = KafkaEventSink.builder()
          .bootstrapServers(kafka.bootstrapServers()).collectorId("ebpf/host-it")
          .spoolDir(dir.resolve("spool")).build()) {
        try (EbpfCollector collector = EbpfCollector.builder().options(new EbpfOptions())
            .sink(sink).identities(ProcessIdentities.fromEnvironment())
            .headers(new EventHeaders("ebpf/host-it")).workDir(dir).build()) {
          collector.start();
          assertThat(collector.awaitAttached(Duration.ofSeconds(90)))
              .as(collector.stats().toString()).isTrue();
          try (NativeDemo req = NativeDemo.startProgram(List.of(), requestLeak,
                  Map.of("MEMFLEET_SERVICE", "checkout", "MEMFLEET_LABELS", "team=pay"),
                  "8000", "2048");
              NativeDemo seg = NativeDemo.startProgram(List.of(), segmentLeak,
                  Map.of("MEMFLEET_SERVICE", "segment-cache"), "20")) {
            ProcessIdentities ids = ProcessIdentities.fromEnvironment().withProcessLabels();
            requests = ids.forPid(req.pid());
            segments = ids.forPid(seg.pid());
            Thread.sleep(15_000);
            // what each stack added and still holds, while both programs still hold it
            collector.nativeMemory().orElseThrow().reportAddressSpace(System.nanoTime(), 4);
            // read while both run: once they exit, the next sweep (every 2 s) drops them
            whileRunning = collector.nativeMemory().orElseThrow().processStats();
          }
          var m = collector.nativeMemory().orElseThrow();
          System.out.printf("host-wide: %s; faults samples=%d published=%d dropped=%d"
              + " overBudget=%d; mappings overBudget=%d; %s%n", whileRunning,
              m.faultWindow().samples(), m.faultWindow().published(),
              m.faultWindow().droppedEvents(), m.faultSamplesOverBudget(),
              m.mappingEventsOverBudget(), m.describeCounters());
          assertThat(whileRunning.tracked()).as(whileRunning.toString())
              .isGreaterThanOrEqualTo(2);
          for (BpftraceRunnerStats s : collector.stats().values()) {
            assertThat(s.malformedLines()).as(s.toString()).isZero();
            assertThat(s.listenerFailures()).as(s.toString()).isZero();
          }
        }
        assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
      }
      events = PublishedEvents.readToEnd(kafka.bootstrapServers(),
          java.util.List.of(Topics.EVENTS_EBPF), Duration.ofSeconds(60));
    }

    assertThat(events).noneMatch(e -> pid(e) == self);
    assertThat(events).noneMatch(e -> header(e).getProcess().getComm().equals("bpftrace"));
    // a pid's events before its exec belong to the program it ran then (Java's jspawnhelper);
    // after the exec the identity is read again: the new program's are (nearly) all of them
    List<SpecificRecord> ofRequests = of(events, requests);
    List<SpecificRecord> ofSegments = of(events, segments);
    assertThat((long) ofRequests.size())
        .isGreaterThan(9 * (ofPid(events, requests) - ofRequests.size()));
    assertThat((long) ofSegments.size())
        .isGreaterThan(9 * (ofPid(events, segments) - ofSegments.size()));
    assertThat(ofRequests).isNotEmpty().allSatisfy(e -> {
      ProcessIdentity p = header(e).getProcess();
      assertThat(p.getComm()).isEqualTo("request_leak");
      assertThat(p.getService()).isEqualTo("checkout");
      assertThat(p.getLabels()).containsEntry("team", "pay");
    });
    assertThat(ofSegments).isNotEmpty().allSatisfy(e ->
        assertThat(header(e).getProcess().getService()).isEqualTo("segment-cache"));

    // malloc leak: the page faults of new heap pages, summed per stack, name the function
    StackTrace top = topFaultStack(ofRequests);
    assertThat(top.getFrames()).as("top faulted-in stack of request_leak")
        .containsSubsequence("leak_request_buffer", "handle_request", "main");
    assertThat(ofRequests).filteredOn(e -> e instanceof PageFault)
        .anySatisfy(e -> assertThat(((PageFault) e).getCount()).isGreaterThan(100));

    // mapping leak: mmap stacks through libc's wrapper, and the faults filling the segments
    List<MemoryMapping> maps = ofSegments.stream().filter(e -> e instanceof MemoryMapping)
        .map(e -> (MemoryMapping) e)
        .filter(mm -> mm.getOp() == MappingOp.MMAP && mm.getLengthBytes() == 256 * 1024)
        .toList();
    assertThat(maps).hasSizeGreaterThan(100).allSatisfy(mm -> assertThat(
        mm.getStack().getFrames()).containsSubsequence("map_segment", "cache_entry", "main"));
    assertThat(maps.get(maps.size() - 1).getOutstandingBytes()).isGreaterThan(100L << 18);
    assertThat(topFaultStack(ofSegments).getFrames()).contains("map_segment");

    // the levels: what is still mapped, and the sampled pages still there, by stack
    assertThat(topLevel(ofSegments, AllocationKind.MAPPED).getStack().getFrames())
        .containsSubsequence("map_segment", "cache_entry", "main");
    assertThat(topLevel(ofSegments, AllocationKind.MAPPED).getOutstandingBytes())
        .isGreaterThan(100L << 18);
    assertThat(topLevel(ofRequests, AllocationKind.FAULTED_IN).getStack().getFrames())
        .contains("leak_request_buffer");
  }

  /** The heaviest level of {@code kind} among the events. */
  private static Allocation topLevel(List<SpecificRecord> events, AllocationKind kind) {
    return events.stream().filter(e -> e instanceof Allocation a && a.getKind() == kind)
        .map(e -> (Allocation) e)
        .max(java.util.Comparator.comparingLong(Allocation::getOutstandingBytes))
        .orElseThrow(() -> new AssertionError("no " + kind + " level"));
  }

  @Test
  void withCgroupOnlyTheProcessesOfThatCgroupAreTraced() throws Exception {
    Tracing.requireBpftrace();
    Path memory = Path.of("/sys/fs/cgroup/memory");
    Capabilities.require(Files.isWritable(memory.resolve("cgroup.procs")),
        "a writable cgroup v1 memory controller at " + memory);
    Path segmentLeak = NativeDemo.compile(SOURCES + "segment_leak.c", GCC);
    String name = "memfleet-ebpf-scope-" + UUID.randomUUID().toString().substring(0, 8);
    Path cgroup = memory.resolve(name);
    Files.createDirectory(cgroup);
    RecordingEventSink sink = new RecordingEventSink();
    try (EbpfCollector collector = EbpfCollector.builder()
        .options(new EbpfOptions().cgroups(List.of("/" + name))).sink(sink)
        .identities(ProcessIdentities.fromEnvironment())
        .headers(new EventHeaders("ebpf/scope-it")).workDir(dir).build()) {
      collector.start();
      assertThat(collector.awaitAttached(Duration.ofSeconds(90))).isTrue();
      String join = "echo $$ > " + cgroup.resolve("cgroup.procs") + " && exec \"$0\" \"$@\"";
      try (NativeDemo inside = NativeDemo.startProgram(List.of("sh", "-c", join), segmentLeak,
              Map.of(), "20");
          NativeDemo outside = NativeDemo.startProgram(List.of(), segmentLeak, Map.of(), "20")) {
        Thread.sleep(8_000);
        collector.nativeMemory().orElseThrow().flushFaults();
        System.out.printf("cgroup scope: %s; inside %d in %s; %s%n",
            collector.nativeMemory().orElseThrow().processStats(), inside.pid(),
            Files.readString(Path.of("/proc/" + inside.pid() + "/cgroup")).replace('\n', ' '),
            collector.stats());
        List<EventHeader> headers = sink.events().stream()
            .filter(e -> e instanceof MemoryMapping || e instanceof PageFault)
            .map(HostWideIT::header).toList();
        assertThat(headers).isNotEmpty().allSatisfy(h -> {
          assertThat(h.getProcess().getCgroupPath()).startsWith("/" + name);
          assertThat(h.getProcess().getPid()).isNotEqualTo(outside.pid());
        });
        assertThat(headers).anyMatch(h -> h.getProcess().getPid() == inside.pid());
        assertThat(collector.nativeMemory().orElseThrow().processStats().eventsNotTraced())
            .isPositive();
      }
    } finally {
      for (int i = 0; i < 50 && Files.exists(cgroup); i++) {
        try {
          Files.delete(cgroup);
        } catch (java.io.IOException e) {
          Thread.sleep(100);
        }
      }
    }
  }

  private static EventHeader header(Object e) {
    return Events.header((SpecificRecord) e);
  }

  private static int pid(SpecificRecord e) {
    return header(e).getProcess().getPid();
  }

  /** The events of process {@code p} while it ran its program (comm). */
  private static List<SpecificRecord> of(List<SpecificRecord> events, ProcessIdentity p) {
    return events.stream().filter(e -> pid(e) == p.getPid()
        && header(e).getProcess().getProcessStartTimeMs() == p.getProcessStartTimeMs()
        && header(e).getProcess().getComm().equals(p.getComm())).toList();
  }

  private static long ofPid(List<SpecificRecord> events, ProcessIdentity p) {
    return events.stream().filter(e -> pid(e) == p.getPid()).count();
  }

  private static StackTrace topFaultStack(List<SpecificRecord> events) {
    Map<Long, Long> faults = new HashMap<>();
    Map<Long, StackTrace> stacks = new HashMap<>();
    for (SpecificRecord e : events) {
      if (e instanceof PageFault f && f.getStack() != null) {
        faults.merge(f.getStack().getHash(), f.getCount(), Long::sum);
        stacks.put(f.getStack().getHash(), f.getStack());
      }
    }
    assertThat(faults).as("page faults with stacks").isNotEmpty();
    return stacks.get(faults.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow()
        .getKey());
  }
}
