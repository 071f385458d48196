package io.memfleet.collector.ebpf.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.memfleet.collector.ebpf.stack.Stacks;
import io.memfleet.event.StackTrace;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

class FaultedInPagesTest {
  private static final long PAGE = 4096;
  private static final StackTrace LEAK = stack("_int_malloc", "leak_request_buffer", "main");
  private static final StackTrace CHURN = stack("__memset_avx2", "parse_request", "main");

  private static StackTrace stack(String... frames) {
    return StackTrace.newBuilder().setHash(Stacks.hash(List.of(frames)))
        .setFrames(new ArrayList<>(List.of(frames))).setTruncated(false).build();
  }

  private static List<Tuple> levels(FaultedInPages pages) {
    return pages.top(5).stream().map(l -> tuple(l.stack().getFrames().get(1), l.bytes()))
        .toList();
  }

  @Test
  void churnThatMallocTrimsAndTouchesAgainCountsOnceWhileTheLeakKeepsEveryPage() {
    FaultedInPages pages = new FaultedInPages(1000, 16);
    long heap = 0x5555_0000_0000L;
    long brk = heap;
    long t = 1;
    for (int round = 0; round < 50; round++) {
      // the leak's copy stays: one new page below the top each round
      pages.faulted(brk, LEAK, 100 * PAGE, t++);
      brk += PAGE;
      // the parse buffer above it is touched, freed and trimmed away
      pages.faulted(brk + 16, CHURN, 100 * PAGE, t++);
      pages.released(brk, 32 * PAGE, t++);
    }
    assertThat(pages.top(5)).extracting(l -> l.stack().getFrames().get(1), StackLevel::bytes)
        .containsExactly(tuple("leak_request_buffer", 50 * 100 * PAGE));
    assertThat(pages.pages()).isEqualTo(50);
  }

  @Test
  void aSampleTakenBeforeARecentReleaseOfItsPageIsDropped() {
    FaultedInPages pages = new FaultedInPages(1000, 16);
    pages.released(0x7000_0000L, 128 * 1024, 2_000);
    // read late from the faults script: taken at 1 000 ns, before the munmap at 2 000 ns
    pages.faulted(0x7000_1000L, CHURN, PAGE, 1_000);
    // after the release: the range was mapped again and touched
    pages.faulted(0x7000_2000L, LEAK, PAGE, 3_000);
    // outside the range
    pages.faulted(0x7010_0000L, CHURN, PAGE, 1_500);
    assertThat(levels(pages)).containsExactlyInAnyOrder(tuple("leak_request_buffer", PAGE),
        tuple("parse_request", PAGE));
    assertThat(pages.late()).isEqualTo(1);
    // releases older than the window no longer drop anything
    pages.released(0x9000_0000L, PAGE, 2_000 + FaultedInPages.RECENT_NS + 1);
    pages.faulted(0x7000_3000L, CHURN, PAGE, 1_000);
    assertThat(pages.late()).isEqualTo(1);
  }

  @Test
  void aPageTouchedAgainWithoutAReleaseIsCountedForItsLatestStackOnly() {
    FaultedInPages pages = new FaultedInPages(1000, 16);
    pages.faulted(0x1000, LEAK, 10 * PAGE, 1);
    pages.faulted(0x1ff0, CHURN, 10 * PAGE, 2); // same page
    assertThat(levels(pages)).containsExactly(tuple("parse_request", 10 * PAGE));
  }

  @Test
  void isBoundedInPagesAndStacks() {
    FaultedInPages pages = new FaultedInPages(3, 1);
    for (int i = 0; i < 5; i++) {
      pages.faulted(0x10000L + i * PAGE, LEAK, PAGE, i + 1);
    }
    pages.faulted(0x90000, CHURN, PAGE, 9);
    assertThat(pages.pages()).isEqualTo(3);
    assertThat(pages.spilled()).isEqualTo(2);
    assertThat(pages.overflow()).isEqualTo(1);
    // the spilled pages' bytes stay with their stack: a release cannot find them
    pages.released(0x10000L, 5 * PAGE, 10);
    assertThat(levels(pages)).containsExactly(tuple("leak_request_buffer", 2 * PAGE));
  }
}
