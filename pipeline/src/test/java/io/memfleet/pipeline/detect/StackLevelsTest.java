package io.memfleet.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StackLevelsTest {
  private static final long S = 1_000_000_000L;

  @Test
  void namesTheStackWhoseLevelGrewNotTheHeaviest() {
    StackLevels levels = new StackLevels();
    assertThat(levels.growing()).isEqualTo(-1);
    levels.update(1, "load_config", 64L << 20, 0);
    levels.update(2, "leak_request_buffer", 1L << 20, 0);
    levels.update(3, "parse_request", 4L << 20, 0);
    assertThat(levels.growing()).as("nothing grew yet").isEqualTo(-1);
    levels.update(1, "load_config", 64L << 20, 10 * S);
    levels.update(2, "leak_request_buffer", 11L << 20, 10 * S);
    levels.update(3, "parse_request", 2L << 20, 10 * S);
    assertThat(levels.frames.get(levels.growing())).isEqualTo("leak_request_buffer");
    // a report older than the stack's latest changes nothing
    levels.update(2, "leak_request_buffer", 0, 5 * S);
    assertThat(levels.frames.get(levels.growing())).isEqualTo("leak_request_buffer");
  }

  @Test
  void isBoundedAndForgetsStacksNoLongerReported() {
    StackLevels levels = new StackLevels();
    for (int i = 0; i < StackLevels.MAX_STACKS + 4; i++) {
      levels.update(i, "f" + i, i, 0);
    }
    assertThat(levels.hashes).hasSize(StackLevels.MAX_STACKS);
    levels.update(100, "late", 1, StackLevels.STALE_NS + S);
    assertThat(levels.hashes).containsExactly(100L);
  }
}
