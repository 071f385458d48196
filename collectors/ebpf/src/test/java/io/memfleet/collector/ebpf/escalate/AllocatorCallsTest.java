package io.memfleet.collector.ebpf.escalate;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.ebpf.Golden;
import io.memfleet.collector.ebpf.perf.PerfSample;
import io.memfleet.collector.ebpf.perf.PerfScriptParser;
import io.memfleet.collector.ebpf.stack.Frame;
import io.memfleet.collector.ebpf.track.OutstandingAllocations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The allocator probes' samples into blocks: the golden recording of the c-malloc-leak program
 * (ingest-proxy, 64 leaked 16 KiB copies a second beside parse churn that frees everything), and
 * hand-made samples for realloc, calloc and lost events.
 */
class AllocatorCallsTest {
  private static final String G = "memfleet_4242:";

  @Test
  void goldenRecordingHoldsOnlyTheLeakedCopies() throws Exception {
    OutstandingAllocations live = OutstandingAllocations.withCapacity(65_536);
    AllocatorCalls calls = new AllocatorCalls(AllocatorCalls.Blocks.of(live), 16);
    PerfScriptParser parser = new PerfScriptParser(calls);
    parser.parse(Golden.reader("perf-script-allocator-probes-ingest-proxy.txt"));

    assertThat(parser.malformedLines()).isZero();
    assertThat(calls.ignored()).isZero();
    assertThat(calls.unmatchedReturns()).isZero();
    assertThat(calls.allocations()).isEqualTo(282);
    assertThat(calls.frees()).isEqualTo(250);
    assertThat(calls.calls()).isEqualTo(282 + 250);
    List<OutstandingAllocations.StackTotal> held = live.byStack(Long.MAX_VALUE, Duration.ZERO);
    OutstandingAllocations.StackTotal top = held.get(0);
    assertThat(top.stack().getFrames()).startsWith("leak_request_buffer", "main");
    assertThat(top.blocks()).isEqualTo(32);
    assertThat(top.estimatedBytes()).isEqualTo(32 * 16_400L);
    // the parser's scratch buffers are freed before the next request: at most one in flight
    assertThat(held.stream().filter(t -> t.stack().getFrames().get(0).equals("parse_request"))
        .mapToLong(OutstandingAllocations.StackTotal::blocks).sum()).isLessThanOrEqualTo(2);
    assertThat(live.unmatchedFrees()).isZero();
  }

  @Test
  void reallocMovesTheBlockAndAFailedReallocKeepsIt() {
    OutstandingAllocations live = OutstandingAllocations.withCapacity(100);
    AllocatorCalls calls = new AllocatorCalls(AllocatorCalls.Blocks.of(live), 16);
    calls.accept(entry(7, 1, "malloc_4242", Map.of("size", "100")));
    calls.accept(ret(7, 2, "malloc_4242", "0x1000", "grow_table"));
    calls.accept(entry(7, 3, "realloc_4242", Map.of("old", "0x1000", "size", "300")));
    calls.accept(ret(7, 4, "realloc_4242", "0x2000", "grow_table"));
    assertThat(live.get(0x1000)).isNull();
    assertThat(live.get(0x2000).sizeBytes()).isEqualTo(300);

    calls.accept(entry(7, 5, "realloc_4242", Map.of("old", "0x2000", "size", "900000000")));
    calls.accept(ret(7, 6, "realloc_4242", "0x0", "grow_table"));
    assertThat(live.get(0x2000).sizeBytes()).isEqualTo(300);

    calls.accept(entry(7, 7, "realloc_4242", Map.of("old", "0x2000", "size", "0")));
    calls.accept(ret(7, 8, "realloc_4242", "0x0", "grow_table"));
    assertThat(live.size()).isZero();
  }

  @Test
  void nestedCallsPairByThreadAndCallocMultiplies() {
    OutstandingAllocations live = OutstandingAllocations.withCapacity(100);
    AllocatorCalls calls = new AllocatorCalls(AllocatorCalls.Blocks.of(live), 16);
    // glibc's realloc(NULL, n) enters malloc from inside realloc; another thread interleaves
    calls.accept(entry(7, 1, "realloc_4242", Map.of("old", "0x0", "size", "64")));
    calls.accept(entry(7, 2, "malloc_4242", Map.of("size", "64")));
    calls.accept(entry(8, 3, "calloc_4242", Map.of("nmemb", "10", "size", "24")));
    calls.accept(ret(7, 4, "malloc_4242", "0x5000", "__libc_realloc"));
    calls.accept(ret(8, 5, "calloc_4242", "0x6000", "new_rows"));
    calls.accept(ret(7, 6, "realloc_4242", "0x5000", "append"));
    assertThat(live.get(0x5000).sizeBytes()).isEqualTo(64);
    assertThat(live.get(0x6000).sizeBytes()).isEqualTo(240);
    assertThat(live.byStack(10, Duration.ZERO)).extracting(t -> t.stack().getFrames().get(0))
        .containsExactlyInAnyOrder("append", "new_rows");

    calls.accept(free(8, 7, "0x6000"));
    calls.accept(free(8, 8, "0x0"));
    assertThat(live.get(0x6000)).isNull();
    assertThat(calls.calls()).isEqualTo(5);

    // a return whose entry perf lost is counted, not guessed at
    calls.accept(ret(9, 9, "malloc_4242", "0x7000", "lost"));
    assertThat(calls.unmatchedReturns()).isEqualTo(1);
    assertThat(live.get(0x7000)).isNull();
    // other events are not allocator calls
    calls.accept(new PerfSample("x", 9, -1, 10, 1, "page-faults", Map.of(), List.of()));
    assertThat(calls.ignored()).isEqualTo(1);
  }

  private static PerfSample entry(int tid, long ts, String name, Map<String, String> args) {
    return new PerfSample("prog", tid, -1, ts, 1, G + name, args, List.of());
  }

  private static PerfSample ret(int tid, long ts, String name, String ptr, String caller) {
    return new PerfSample("prog", tid, -1, ts, 1, G + name + "__return", Map.of("ptr", ptr),
        List.of(new Frame(0x1234, caller, "prog"), new Frame(0x2000, "main", "prog")));
  }

  private static PerfSample free(int tid, long ts, String ptr) {
    return new PerfSample("prog", tid, -1, ts, 1, G + "free_4242", Map.of("ptr", ptr),
        List.of());
  }
}
