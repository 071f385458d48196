package io.memfleet.collector.ebpf.bpftrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.ebpf.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parses bpftrace -f json output of memfleet's scripts captured on this machine. */
class BpftraceGoldenTest {
  private final BpftraceLineParser lines = new BpftraceLineParser();
  private final ProbeEventParser events = new ProbeEventParser();

  private List<ProbeEvent> parseAll(String file, int[] attachedProbes) {
    List<ProbeEvent> out = new ArrayList<>();
    for (String line : Golden.lines(file)) {
      BpftraceOutput o = lines.parse(line);
      if (o instanceof BpftraceOutput.Printf p) {
        out.add(events.parse(p.text()));
      } else if (o instanceof BpftraceOutput.AttachedProbes a) {
        attachedProbes[0] = a.probes();
      } else {
        assertThat(o).as(line).isInstanceOf(BpftraceOutput.Blank.class);
      }
    }
    return out;
  }

  @Test
  void mallocOfLeakyDemoIsAttributedToLeakBlocks() {
    int[] probes = {0};
    List<ProbeEvent> all = parseAll("bpftrace-malloc-leaky.jsonl", probes);
    assertThat(probes[0]).isEqualTo(9);
    List<ProbeEvent> allocs = all.stream().filter(e -> e.name().equals("alloc")).toList();
    assertThat(allocs).hasSizeGreaterThan(20);
    ProbeEvent first = allocs.get(0);
    assertThat(first.timestampNs()).isEqualTo(1010458832669L);
    assertThat(first.longField("size")).isEqualTo(4096);
    assertThat(first.longField("period")).isEqualTo(10);
    assertThat(first.field("kind")).isEqualTo("1");
    assertThat(first.stack()).extracting(f -> f.symbol())
        .containsExactly("leak_blocks", "run_loop", "main", "__libc_start_call_main");
    assertThat(first.stack().get(0).module()).isEqualTo("/tmp/ebpfx/leaky");
    assertThat(first.stack().get(0).address()).isEqualTo(0x55cf8860e1d1L);
    assertThat(allocs).allSatisfy(e -> assertThat(e.stack().get(0).symbol())
        .isEqualTo("leak_blocks"));
    assertThat(all).noneMatch(e -> e.name().equals("free"));
    assertThat(all).filteredOn(e -> e.name().equals("stats"))
        .allSatisfy(e -> assertThat(e.longField("dropped")).isZero());
  }

  @Test
  void mallocOfControlDemoHasMatchingFrees() {
    List<ProbeEvent> all = parseAll("bpftrace-malloc-control.jsonl", new int[1]);
    List<ProbeEvent> allocs = all.stream().filter(e -> e.name().equals("alloc")).toList();
    List<ProbeEvent> frees = all.stream().filter(e -> e.name().equals("free")).toList();
    assertThat(allocs).isNotEmpty();
    assertThat(frees).hasSizeGreaterThanOrEqualTo(allocs.size() - 2);
    assertThat(allocs.get(0).stack().get(0).symbol()).isEqualTo("churn_blocks");
    assertThat(frees).allSatisfy(f -> assertThat(f.longField("size")).isEqualTo(4096));
  }

  @Test
  void mmapScriptOutput() {
    List<ProbeEvent> leaky = parseAll("bpftrace-mmap-leaky.jsonl", new int[1]);
    assertThat(leaky).extracting(ProbeEvent::name).containsOnly("mmap", "brk");
    ProbeEvent mmap = leaky.stream().filter(e -> e.name().equals("mmap")).findFirst()
        .orElseThrow();
    assertThat(mmap.longField("len")).isEqualTo(65536);
    assertThat(mmap.longField("prot")).isEqualTo(3);
    assertThat(mmap.longField("flags")).isEqualTo(0x22);
    assertThat((int) mmap.longField("fd")).isEqualTo(-1);
    assertThat(mmap.longField("ret")).isEqualTo(mmap.longField("ret")).isPositive();
    // the libc wrapper has no frame pointer, so the walk skips leak_mappings (see mmap.bt)
    assertThat(mmap.stack()).extracting(f -> f.symbol()).startsWith("__mmap64", "run_loop");

    List<ProbeEvent> control = parseAll("bpftrace-mmap-control.jsonl", new int[1]);
    assertThat(control).extracting(ProbeEvent::name).contains("mmap", "munmap");
    assertThat(control).filteredOn(e -> e.name().equals("munmap"))
        .allSatisfy(e -> assertThat(e.longField("ret")).isZero());
  }

  @Test
  void faultRssAndOomOutput() {
    List<ProbeEvent> faults = parseAll("bpftrace-faults-leaky.jsonl", new int[1]);
    assertThat(faults).hasSizeGreaterThan(100).allSatisfy(e -> {
      assertThat(e.name()).isEqualTo("fault");
      assertThat(e.longField("count")).isEqualTo(10);
    });
    assertThat(faults).anySatisfy(e -> assertThat(e.stack()).extracting(f -> f.symbol())
        .contains("run_loop"));

    List<ProbeEvent> rss = parseAll("bpftrace-rss-leaky.jsonl", new int[1]);
    List<Long> anon = rss.stream().filter(e -> e.longField("member") == 1)
        .map(e -> e.longField("bytes")).toList();
    assertThat(anon).hasSizeGreaterThan(10).isSorted();

    List<ProbeEvent> oom = parseAll("bpftrace-oom-cgroup.jsonl", new int[1]);
    assertThat(oom).singleElement().satisfies(e -> {
      assertThat(e.pid()).isEqualTo(15728);
      assertThat(e.field("comm")).isEqualTo("leaky");
      assertThat(e.longField("anon_rss_kb")).isEqualTo(32512);
      assertThat(e.longField("file_rss_kb")).isEqualTo(1512);
    });
  }

  @Test
  void hostWideMmapOutputHasExecsRegistersAndBareAddresses() {
    int[] probes = {0};
    List<ProbeEvent> all = parseAll("bpftrace-mmap-hostwide.jsonl", probes);
    assertThat(probes[0]).isEqualTo(10);
    List<ProbeEvent> target = all.stream().filter(e -> e.pid() == 23364).toList();
    assertThat(all.stream().map(ProbeEvent::pid).distinct().count()).as("every process")
        .isGreaterThan(1);
    // sh execs the program: its exec comes before the program's own mappings
    assertThat(target).filteredOn(e -> e.name().equals("exec")).isNotEmpty()
        .allSatisfy(e -> assertThat(e.field("comm")).isNotBlank());
    assertThat(target).filteredOn(e -> !e.name().equals("exec"))
        .allSatisfy(e -> assertThat(e.field("comm")).isNotNull());
    List<ProbeEvent> segments = target.stream().filter(e -> e.name().equals("mmap")
        && e.longField("len") == 256 * 1024).toList();
    assertThat(segments).hasSizeGreaterThan(20).allSatisfy(e -> {
      // the user registers read from the kernel stack: ip is where the walk starts
      assertThat(Long.parseUnsignedLong(e.field("ip"), 16))
          .isEqualTo(e.stack().get(0).address());
      assertThat(e.field("words").split(",")).hasSize(40);
      assertThat(e.field("comm")).isEqualTo("cap-seg");
      // BPFTRACE_NO_USER_SYMBOLS: bpftrace prints the address where a name would be
      assertThat(e.stack()).allSatisfy(f -> assertThat(
          io.memfleet.collector.ebpf.stack.Symbolizer.unnamed(f)).isTrue());
    });
  }

  @Test
  void hostWideFaultOutputCountsWhatIsOverBudget() {
    List<ProbeEvent> all = parseAll("bpftrace-faults-hostwide.jsonl", new int[1]);
    // captured on a busy machine: some seconds had more than 250 samples on a CPU
    assertThat(all).filteredOn(e -> e.name().equals("faultstats")).hasSizeGreaterThan(2)
        .allSatisfy(e -> assertThat(e.longField("over")).isNotNegative())
        .anySatisfy(e -> assertThat(e.longField("over")).isPositive());
    List<ProbeEvent> faults = all.stream().filter(e -> e.name().equals("fault")).toList();
    assertThat(faults.stream().map(ProbeEvent::pid).distinct().count()).isGreaterThan(1);
    assertThat(faults).allSatisfy(e -> assertThat(e.longField("count")).isIn(1L, 100L));
    // the same pid before and after its exec: the main thread's comm tells them apart
    assertThat(faults).filteredOn(e -> e.pid() == 23364).extracting(e -> e.field("comm"))
        .contains("bash", "cap-seg");
  }

  @Test
  void commTakesTheRestOfTheLine() {
    ProbeEvent e = events.parse("oom ts=5 pid=7 anon_rss_kb=1 comm=Web Content (x)\n");
    assertThat(e.field("comm")).isEqualTo("Web Content (x)");
  }
}
