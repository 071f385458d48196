package io.memfleet.collector.ebpf.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.StackTrace;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutstandingAllocationsTest {
  private static StackTrace stack(long hash, String top) {
    return StackTrace.newBuilder().setHash(hash).setFrames(List.of(top, "main")).build();
  }

  @Test
  void freesRemoveAndTotalsGroupByStackWithAgeFilter() {
    OutstandingAllocations live = OutstandingAllocations.withCapacity(100);
    StackTrace leak = stack(1, "leak_blocks");
    StackTrace churn = stack(2, "churn_blocks");
    live.allocated(0x1000, 4096, 10, leak, 1_000);
    live.allocated(0x2000, 4096, 10, leak, 2_000);
    live.allocated(0x3000, 100, 1, churn, 3_000);
    live.allocated(0x4000, 4096, 10, leak, 9_000);
    assertThat(live.freed(0x3000)).hasValue(100);
    assertThat(live.freed(0x9999)).isEmpty();
    assertThat(live.unmatchedFrees()).isEqualTo(1);

    List<OutstandingAllocations.StackTotal> old = live.byStack(10_000, Duration.ofNanos(5_000));
    assertThat(old).singleElement().satisfies(t -> {
      assertThat(t.stack().getFrames()).startsWith("leak_blocks");
      assertThat(t.blocks()).isEqualTo(2);
      assertThat(t.sampledBytes()).isEqualTo(8192);
      assertThat(t.estimatedBytes()).isEqualTo(81920);
      assertThat(t.oldestAllocatedAtNs()).isEqualTo(1_000);
    });
    assertThat(live.byStack(10_000, Duration.ZERO).get(0).blocks()).isEqualTo(3);
    assertThat(live.estimatedBytes()).isEqualTo(3 * 40960);
  }

  @Test
  void reallocAtTheSameAddressReplacesAndCapacityEvictsOldest() {
    OutstandingAllocations live = OutstandingAllocations.withCapacity(2);
    StackTrace s = stack(7, "f");
    live.allocated(0x10, 10, 1, s, 1);
    live.allocated(0x10, 20, 1, s, 2); // realloc in place, free seen late or never
    assertThat(live.replacedAddresses()).isEqualTo(1);
    assertThat(live.sampledBytes()).isEqualTo(20);
    live.allocated(0x20, 1, 1, s, 3);
    live.allocated(0x30, 1, 1, s, 4);
    assertThat(live.size()).isEqualTo(2);
    assertThat(live.evictions()).isEqualTo(1);
    assertThat(live.get(0x10)).isNull();
    assertThat(live.freed(0x20)).hasValue(1);
    assertThat(live.freed(0x30)).hasValue(1);
    assertThat(live.sampledBytes()).isZero();
    assertThat(live.byStack(10, Duration.ZERO)).isEmpty();
  }
}
