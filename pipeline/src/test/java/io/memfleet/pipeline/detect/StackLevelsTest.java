package io.memfleet.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StackLevelsTest {
  private static final long S = 1_000_000_000L;

  @Test
  void namesTheStackWhoseLevelGrewNotTheHeaviest() {
    StackLevels levels = new StackLevels();
    assertThat(levels.growing()).isEqualTo(-1);
    levels.update(1, frames("load_config"), 64L << 20, 0);
    levels.update(2, frames("leak_request_buffer"), 1L << 20, 0);
    levels.update(3, frames("parse_request"), 4L << 20, 0);
    assertThat(levels.growing()).as("nothing grew yet").isEqualTo(-1);
    levels.update(1, frames("load_config"), 64L << 20, 10 * S);
    levels.update(2, frames("leak_request_buffer"), 11L << 20, 10 * S);
    levels.update(3, frames("parse_request"), 2L << 20, 10 * S);
    assertThat(levels.frames.get(levels.growing())).isEqualTo("leak_request_buffer");
    // a report older than the stack's latest changes nothing
    levels.update(2, frames("leak_request_buffer"), 0, 5 * S);
    assertThat(levels.frames.get(levels.growing())).isEqualTo("leak_request_buffer");
  }

  @Test
  void namesTheFunctionWhoseStacksGrewTheMostTogether() {
    // a malloc heap growing by a leak beside churn: the leaking function's pages are touched
    // first by its own copy loop or by malloc writing a chunk header (two stacks), the churning
    // one's by memset or malloc the same way; the single stack that grew most is the churn's
    StackLevels levels = new StackLevels();
    levels.update(1, frames("leak_request_buffer\nmain"), 0, 0);
    levels.update(2, frames("_int_malloc\nleak_request_buffer"), 0, 0);
    levels.update(3, frames("__memset_avx2_unaligned_erms\nparse_request\nmain"), 0, 0);
    levels.update(4, frames("_int_malloc\nparse_request"), 0, 0);
    levels.update(1, frames("leak_request_buffer\nmain"), 60L << 20, 100 * S);
    levels.update(2, frames("_int_malloc\nleak_request_buffer"), 70L << 20, 100 * S);
    levels.update(3, frames("__memset_avx2_unaligned_erms\nparse_request\nmain"), 80L << 20, 100 * S);
    levels.update(4, frames("_int_malloc\nparse_request"), 10L << 20, 100 * S);
    assertThat(levels.frames.get(levels.growing())).isEqualTo("_int_malloc\nleak_request_buffer");
    // stacks with no program frame at all stand for themselves
    StackLevels machinery = new StackLevels();
    machinery.update(1, frames("_int_malloc"), 0, 0);
    machinery.update(2, frames("__memset_avx2_unaligned_erms"), 0, 0);
    machinery.update(1, frames("_int_malloc"), 5L << 20, S);
    machinery.update(2, frames("__memset_avx2_unaligned_erms"), 3L << 20, S);
    assertThat(machinery.frames.get(machinery.growing())).isEqualTo("_int_malloc");
  }

  @Test
  void keepsTheFramesOfStacksThatGrewOnly() {
    StackLevels levels = new StackLevels();
    levels.update(1, frames("java.lang.Thread.start\ncom.acme.Pool.add"), 12, 0);
    levels.update(2, frames("java.lang.Thread.start\ncom.acme.Leak.spawn"), 1, 0);
    levels.update(1, frames("java.lang.Thread.start\ncom.acme.Pool.add"), 12, 10 * S);
    levels.update(2, frames("java.lang.Thread.start\ncom.acme.Leak.spawn"), 40, 10 * S);
    assertThat(levels.frames).containsExactly("", "java.lang.Thread.start\ncom.acme.Leak.spawn");
    assertThat(levels.frames.get(levels.growing()))
        .isEqualTo("java.lang.Thread.start\ncom.acme.Leak.spawn");
    // a pool of 12 threads that comes and goes by two is not named and keeps no frames
    levels.update(1, frames("java.lang.Thread.start\ncom.acme.Pool.add"), 14, 20 * S);
    levels.update(2, frames("java.lang.Thread.start\ncom.acme.Leak.spawn"), 1, 20 * S);
    assertThat(levels.frames.get(0)).isEmpty();
    assertThat(levels.growing()).isEqualTo(-1);
    levels.update(1, frames("java.lang.Thread.start\ncom.acme.Pool.add"), 16, 30 * S);
    assertThat(levels.frames.get(levels.growing()))
        .isEqualTo("java.lang.Thread.start\ncom.acme.Pool.add");
  }

  @Test
  void isBoundedAndForgetsStacksNoLongerReported() {
    StackLevels levels = new StackLevels();
    for (int i = 0; i < StackLevels.MAX_STACKS + 4; i++) {
      levels.update(i, frames("f" + i), i, 0);
    }
    assertThat(levels.hashes).hasSize(StackLevels.MAX_STACKS);
    levels.update(100, frames("late"), 1, StackLevels.STALE_NS + S);
    assertThat(levels.hashes).containsExactly(100L);
  }

  /** A stack's frames as the collectors send them, from one line each. */
  private static List<String> frames(String lines) {
    return List.of(lines.split("\n"));
  }
}
