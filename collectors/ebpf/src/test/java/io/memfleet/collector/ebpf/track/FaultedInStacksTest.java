package io.memfleet.collector.ebpf.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.memfleet.collector.ebpf.stack.Stacks;
import io.memfleet.event.StackTrace;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultedInStacksTest {
  private static StackTrace stack(String... frames) {
    return StackTrace.newBuilder().setHash(Stacks.hash(List.of(frames)))
        .setFrames(new ArrayList<>(List.of(frames))).setTruncated(false).build();
  }

  @Test
  void sumsFaultsPerStackMostFirst() {
    FaultedInStacks f = new FaultedInStacks(10);
    StackTrace leak = stack("_int_malloc", "leak_blocks", "main");
    StackTrace touch = stack("memset", "fill", "main");
    f.add(leak, 100);
    f.add(touch, 100);
    f.add(leak, 100);
    f.add(null, 100);
    f.add(touch, 0);
    assertThat(f.top(5)).extracting(t -> t.stack().getFrames().get(1),
        FaultedInStacks.Total::faults, FaultedInStacks.Total::bytes).containsExactly(
            tuple("leak_blocks", 200L, 200L * 4096), tuple("fill", 100L, 100L * 4096));
    assertThat(f.top(1)).hasSize(1);
  }

  @Test
  void isBoundedAndCountsWhatDidNotFit() {
    FaultedInStacks f = new FaultedInStacks(1, 8192);
    f.add(stack("a"), 3);
    f.add(stack("b"), 5);
    f.add(stack("a"), 1);
    assertThat(f.size()).isEqualTo(1);
    assertThat(f.overflowFaults()).isEqualTo(5);
    assertThat(f.top(3).get(0).bytes()).isEqualTo(4 * 8192);
    assertThatThrownBy(() -> new FaultedInStacks(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
