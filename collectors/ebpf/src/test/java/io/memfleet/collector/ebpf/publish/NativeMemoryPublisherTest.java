package io.memfleet.collector.ebpf.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.Golden;
import io.memfleet.collector.ebpf.bpftrace.BpftraceLineParser;
import io.memfleet.collector.ebpf.bpftrace.BpftraceOutput;
import io.memfleet.collector.ebpf.bpftrace.ProbeEventParser;
import io.memfleet.collector.ebpf.bpftrace.ProbeListener;
import io.memfleet.collector.ebpf.track.OutstandingAllocations;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.Free;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.PageFault;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.schema.codec.EventCodec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Feeds captured script output through the publishers into a recording sink. */
class NativeMemoryPublisherTest {
  private final RecordingEventSink sink = new RecordingEventSink();
  private final EventHeaders headers = new EventHeaders("ebpf/test");
  private final ProcessIdentities identities = ProcessIdentities.fromEnvironment();

  private NativeMemoryPublisher publisher() throws Exception {
    return NativeMemoryPublisher.builder().sink(sink).headers(headers)
        .process(identities.self()).stackDepth(16).maxTracked(10_000).build();
  }

  private static void feed(String golden, ProbeListener listener) {
    BpftraceLineParser lines = new BpftraceLineParser();
    ProbeEventParser events = new ProbeEventParser();
    for (String line : Golden.lines(golden)) {
      if (lines.parse(line) instanceof BpftraceOutput.Printf p) {
        listener.onEvent(events.parse(p.text()));
      }
    }
  }

  @Test
  void leakyMallocsBecomeAllocationsAndAnOutstandingStack() throws Exception {
    NativeMemoryPublisher pub = publisher();
    feed("bpftrace-malloc-leaky.jsonl", pub);
    List<Allocation> allocs = sink.eventsOf(Allocation.class);
    assertThat(allocs).isNotEmpty().allSatisfy(a -> {
      assertThat(a.getKind()).isEqualTo(AllocationKind.MALLOC);
      assertThat(a.getWeightBytes()).isEqualTo(40960);
      assertThat(a.getHeader().getSource()).isEqualTo(Source.EBPF);
      assertThat(a.getHeader().getClockDomain()).isEqualTo(ClockDomain.MONOTONIC);
      assertThat(a.getStack().getFrames()).startsWith("leak_blocks", "run_loop", "main");
    });
    long last = allocs.get(allocs.size() - 1).getHeader().getRawTimestamp();
    sink.clear();
    List<OutstandingAllocations.StackTotal> top =
        pub.reportOutstanding(last + 1, Duration.ZERO, 5);
    assertThat(top).hasSize(1);
    Allocation out = sink.eventsOf(Allocation.class).get(0);
    assertThat(out.getKind()).isEqualTo(AllocationKind.OUTSTANDING);
    assertThat(out.getOutstandingBytes()).isEqualTo(allocs.size() * 40960L);
    assertThat(out.getStack().getFrames().get(0)).isEqualTo("leak_blocks");
    EventCodec codec = EventCodec.fromClasspath();
    assertThat(codec.decode(codec.encode(out))).isEqualTo(out);
  }

  @Test
  void controlMallocsAreFreedSoLittleIsOutstanding() throws Exception {
    NativeMemoryPublisher pub = publisher();
    feed("bpftrace-malloc-control.jsonl", pub);
    List<Free> frees = sink.eventsOf(Free.class);
    assertThat(frees).isNotEmpty()
        .allSatisfy(f -> assertThat(f.getSizeBytes()).isEqualTo(4096L));
    long total = pub.outstanding(Long.MAX_VALUE, Duration.ZERO).stream()
        .mapToLong(OutstandingAllocations.StackTotal::sampledBytes).sum();
    assertThat(total).isLessThanOrEqualTo(2 * 4096);
  }

  @Test
  void mappingsFaultsAndRss() throws Exception {
    NativeMemoryPublisher leaky = publisher();
    feed("bpftrace-mmap-leaky.jsonl", leaky);
    List<MemoryMapping> maps = sink.eventsOf(MemoryMapping.class).stream()
        .filter(m -> m.getOp() == MappingOp.MMAP).toList();
    assertThat(maps).hasSizeGreaterThan(20);
    assertThat(maps.get(0).getFlags()).isEqualTo("MAP_PRIVATE|MAP_ANONYMOUS");
    assertThat(maps.get(0).getProtection()).isEqualTo("PROT_READ|PROT_WRITE");
    assertThat(maps.get(0).getPath()).isNull();
    assertThat(maps).extracting(MemoryMapping::getOutstandingBytes).isSorted();
    assertThat(maps.get(maps.size() - 1).getOutstandingBytes())
        .isGreaterThanOrEqualTo(maps.size() * 65536L);

    sink.clear();
    NativeMemoryPublisher control = publisher();
    feed("bpftrace-mmap-control.jsonl", control);
    assertThat(control.outstandingMappedBytes()).isLessThanOrEqualTo(65536L + (1 << 20));
    assertThat(sink.eventsOf(MemoryMapping.class)).anyMatch(m -> m.getOp() == MappingOp.MUNMAP);

    sink.clear();
    NativeMemoryPublisher faults = publisher();
    feed("bpftrace-faults-leaky.jsonl", faults);
    assertThat(sink.eventsOf(PageFault.class)).as("summed until the window ends").isEmpty();
    faults.flushFaults();
    List<PageFault> summed = sink.eventsOf(PageFault.class);
    // 150 samples of 10 faults each, one event per distinct stack
    assertThat(summed).hasSizeLessThan(150).allSatisfy(f -> {
      assertThat(f.getCount() % 10).isZero();
      assertThat(f.getAddress()).isNull();
    });
    assertThat(summed.stream().mapToLong(PageFault::getCount).sum())
        .isEqualTo(10L * faults.faultWindow().samples());
    assertThat(summed.stream().map(f -> f.getStack() == null ? 0 : f.getStack().getHash())
        .distinct().count()).isEqualTo(summed.size());
    assertThat(summed).extracting(PageFault::getCount).isSortedAccordingTo(
        java.util.Comparator.reverseOrder());

    sink.clear();
    feed("bpftrace-rss-leaky.jsonl", publisher());
    List<ResidentMemory> rss = sink.eventsOf(ResidentMemory.class);
    assertThat(rss).last().satisfies(r -> assertThat(r.getAnonBytes()).isEqualTo(82538496L));
    assertThat(rss).allSatisfy(r -> assertThat(r.getRssBytes())
        .isEqualTo(r.getAnonBytes() + r.getFileBytes() + r.getShmemBytes()));
  }

  @Test
  void addressSpaceLevelsNameTheStacksWhoseMemoryStaysNotTheChurn() throws Exception {
    NativeMemoryPublisher pub = publisher();
    ProbeEventParser events = new ProbeEventParser();
    // a thread other than the main one: its comm= is not compared with the process's
    int pid = identities.self().getPid();
    String segment = "\n\t401a10 mmap+16 (/srv/tile-server)\n\t401b20 map_segment+32 "
        + "(/srv/tile-server)\n\t401c30 main+48 (/srv/tile-server)\n";
    String scratch = "\n\t401a10 mmap+16 (/srv/tile-server)\n\t401d40 compose_tile+64 "
        + "(/srv/tile-server)\n\t401c30 main+48 (/srv/tile-server)\n";
    String leak = "\n\t401e50 _int_malloc+80 (/srv/tile-server)\n\t401f60 "
        + "leak_request_buffer+96 (/srv/tile-server)\n\t401c30 main+48 (/srv/tile-server)\n";
    String parse = "\n\t402070 memset+112 (/srv/tile-server)\n\t402180 parse_request+128 "
        + "(/srv/tile-server)\n\t401c30 main+48 (/srv/tile-server)\n";
    long ts = 1_000_000;
    long next = 0x7f00_0000_0000L;
    long brk = 0x5555_0000_0000L;
    pub.onEvent(events.parse("brk ts=" + ts++ + " pid=" + pid + " tid=" + (pid + 1) + " ret=" + brk
        + " req=0 comm=x"));
    for (int round = 0; round < 20; round++) {
      pub.onEvent(events.parse(mmap(pid, ts++, next, 0x40000) + segment));
      next += 0x40000;
      for (int j = 0; j < 8; j++) {
        pub.onEvent(events.parse(mmap(pid, ts++, next, 0x20000) + scratch));
        pub.onEvent(events.parse(fault(pid, ts++, next + 0x1000) + parse));
        pub.onEvent(events.parse("munmap ts=" + ts++ + " pid=" + pid + " tid=" + (pid + 1)
            + " ret=0 addr=" + next + " len=" + 0x20000 + " comm=x"));
      }
      // the leak's copy in the heap stays; a parse buffer above it is trimmed away
      pub.onEvent(events.parse(fault(pid, ts++, brk) + leak));
      brk += 0x21000;
      pub.onEvent(events.parse("brk ts=" + ts++ + " pid=" + pid + " tid=" + (pid + 1) + " ret=" + brk
          + " req=" + brk + " comm=x"));
      pub.onEvent(events.parse(fault(pid, ts++, brk - 0x1000) + parse));
      brk -= 0x20000;
      pub.onEvent(events.parse("brk ts=" + ts++ + " pid=" + pid + " tid=" + (pid + 1) + " ret=" + brk
          + " req=" + brk + " comm=x"));
      pub.onEvent(events.parse("madvise ts=" + ts++ + " pid=" + pid + " tid=" + (pid + 1)
          + " ret=0 addr=" + (next + 0x10000000L) + " len=4096 comm=x"));
    }
    sink.clear();
    assertThat(pub.reportAddressSpace(ts, 3)).isEqualTo(2);
    List<Allocation> levels = sink.eventsOf(Allocation.class);
    assertThat(levels).extracting(Allocation::getKind, a -> a.getStack().getFrames().get(1),
        Allocation::getOutstandingBytes).containsExactly(
            tuple(AllocationKind.MAPPED, "map_segment", 20L * 0x40000),
            tuple(AllocationKind.FAULTED_IN, "leak_request_buffer", 20L * 100 * 4096));
    assertThat(levels).allSatisfy(a -> assertThat(a.getWeightBytes()).isZero());
    sink.clear();
    assertThat(pub.reportAddressSpace(ts + 1, 3)).as("nothing changed since").isZero();
    EventCodec codec = EventCodec.fromClasspath();
    assertThat(codec.decode(codec.encode(levels.get(1)))).isEqualTo(levels.get(1));
  }

  private static String mmap(int pid, long ts, long address, long length) {
    return "mmap ts=" + ts + " pid=" + pid + " tid=" + (pid + 1) + " ret=" + address + " len="
        + length + " prot=3 flags=34 fd=-1 ip=0 sp=0 comm=x";
  }

  private static String fault(int pid, long ts, long address) {
    return "fault ts=" + ts + " pid=" + pid + " tid=" + (pid + 1) + " major=0 count=100 addr="
        + Long.toHexString(address) + " sp=0 comm=x\n";
  }

  @Test
  void oomVictimThatIsGoneGetsAPartialIdentity() {
    OomKillPublisher oom = new OomKillPublisher(sink, headers, identities);
    feed("bpftrace-oom-cgroup.jsonl", oom);
    OomKill kill = sink.eventsOf(OomKill.class).get(0);
    assertThat(kill.getDetectedBy()).isEqualTo(OomDetection.TRACEPOINT);
    assertThat(kill.getVictimComm()).isEqualTo("leaky");
    assertThat(kill.getRssBytesAtKill()).isEqualTo((32512L + 1512) * 1024);
    ProcessIdentity victim = kill.getHeader().getProcess();
    assertThat(victim.getPid()).isEqualTo(15728);
    if (!java.nio.file.Files.exists(java.nio.file.Path.of("/proc/15728"))) {
      assertThat(victim.getLabels()).containsEntry("memfleet.identity", "partial");
    }
  }
}
