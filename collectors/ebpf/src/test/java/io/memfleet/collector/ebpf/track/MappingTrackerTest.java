package io.memfleet.collector.ebpf.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.memfleet.collector.ebpf.stack.Stacks;
import io.memfleet.event.StackTrace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MappingTrackerTest {
  @Test
  void exactWholeRangeAndPartialUnmaps() {
    MappingTracker m = new MappingTracker();
    m.mapped(0x10000, 0x4000, 1);
    m.mapped(0x20000, 0x1000, 2);
    m.mapped(0x21000, 0x1000, 3);
    assertThat(m.mappedBytes()).isEqualTo(0x6000);

    assertThat(m.unmapped(0x20000, 0x1000)).isEqualTo(0x1000); // exact
    assertThat(m.unmapped(0x1f000, 0x5000)).isEqualTo(0x1000); // covers the other whole range
    assertThat(m.mappedBytes()).isEqualTo(0x4000);

    assertThat(m.unmapped(0x11000, 0x1000)).isEqualTo(0x1000); // hole in the middle: split
    assertThat(m.rangeCount()).isEqualTo(2);
    assertThat(m.unmapped(0x0f000, 0x2000)).isEqualTo(0x1000); // trims the head
    assertThat(m.unmapped(0x13800, 0x1000)).isEqualTo(0x800); // trims the tail
    assertThat(m.mappedBytes()).isEqualTo(0x1800);
    assertThat(m.unmapped(0x50000, 0x1000)).isZero(); // never seen
  }

  @Test
  void mremapMovesTrackedBytesAndCountsGrowthOfUnknownRanges() {
    MappingTracker m = new MappingTracker();
    m.mapped(0x10000, 0x1000, 1);
    m.remapped(0x10000, 0x1000, 0x40000, 0x3000, 2);
    assertThat(m.mappedBytes()).isEqualTo(0x3000);
    m.remapped(0x90000, 0x1000, 0x90000, 0x2000, 3); // mapped before attach
    assertThat(m.mappedBytes()).isEqualTo(0x4000);
  }

  @Test
  void brkCountsHeapGrowthFromTheBaseline() {
    MappingTracker m = new MappingTracker();
    m.brkBaseline(0x5000);
    assertThat(m.brk(0x7000)).isEqualTo(0x2000);
    assertThat(m.brk(0x6000)).isEqualTo(-0x1000);
    assertThat(m.brkBytes()).isEqualTo(0x1000);
    m.mapped(0x100000, 0x1000, 1);
    assertThat(m.outstandingBytes()).isEqualTo(0x2000);

    MappingTracker noBaseline = new MappingTracker();
    assertThat(noBaseline.brk(0x9000)).isZero();
    assertThat(noBaseline.brk(0xa000)).isEqualTo(0x1000);
  }

  @Test
  void namesTheStackWhoseMappingsStayNotTheOneThatMapsTheMost() {
    StackTrace segment = stack("mmap", "map_segment", "main");
    StackTrace scratch = stack("mmap", "compose_tile", "main");
    MappingTracker m = new MappingTracker();
    long next = 0x7f00_0000_0000L;
    for (int i = 0; i < 10; i++) {
      m.mapped(next, 0x40000, i, segment);
      next += 0x40000;
      for (int j = 0; j < 8; j++) {
        m.mapped(next, 0x20000, i, scratch);
        m.unmapped(next, 0x20000);
      }
    }
    // a partial unmap of a segment takes only what it released; a split keeps the stack
    m.unmapped(0x7f00_0000_0000L + 0x1000, 0x1000);
    assertThat(m.byStack(5)).extracting(l -> l.stack().getFrames().get(1), StackLevel::bytes)
        .containsExactly(tuple("map_segment",
            10L * 0x40000 - 0x1000));
    m.remapped(0x7f00_0000_0000L + 0x40000, 0x40000, 0x6000_0000_0000L, 0x80000, 20);
    assertThat(m.byStack(5).get(0).bytes()).isEqualTo(11L * 0x40000 - 0x1000);
    m.mapped(0x5000_0000L, 0x1000, 21); // no stack: counted in the total, not by stack
    assertThat(m.byStack(5)).hasSize(1);
    assertThat(m.mappedBytes()).isEqualTo(11L * 0x40000 - 0x1000 + 0x1000);
  }

  @Test
  void adjacentMappingsOfOneStackAreOneRangeSoALongLeakStaysTracked() {
    StackTrace segment = stack("mmap", "map_segment", "main");
    StackTrace other = stack("mmap", "load_index", "main");
    MappingTracker m = new MappingTracker(4);
    long top = 0x7f00_0000_0000L;
    for (int i = 1; i <= 2000; i++) { // the kernel places each new mapping below the last
      m.mapped(top - i * 0x40000L, 0x40000, i, segment);
    }
    m.mapped(top, 0x1000, 2001, other); // adjacent, another stack: a range of its own
    assertThat(m.rangeCount()).isEqualTo(2);
    assertThat(m.untrackedMappings()).isZero();
    assertThat(m.byStack(5)).extracting(l -> l.stack().getFrames().get(1), StackLevel::bytes)
        .containsExactly(tuple("map_segment", 2000L * 0x40000), tuple("load_index", 0x1000L));
    // a segment unmapped from the middle splits the range again
    m.unmapped(top - 1000 * 0x40000L, 0x40000);
    assertThat(m.rangeCount()).isEqualTo(3);
    assertThat(m.byStack(1).get(0).bytes()).isEqualTo(1999L * 0x40000);
  }

  private static StackTrace stack(String... frames) {
    return StackTrace.newBuilder().setHash(Stacks.hash(List.of(frames)))
        .setFrames(new ArrayList<>(List.of(frames))).setTruncated(false).build();
  }
}
