package io.memfleet.pipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.pipeline.Fixtures;
import org.junit.jupiter.api.Test;

class ShmemTest {
  private static final long MIB = 1 << 20;

  private static ResidentMemory sample(Long cgroupLimit, Long cgroupShmem, Long ownShmem) {
    ResidentMemory r = Fixtures.rss(Fixtures.process(42, true), Source.PROCFS, ClockDomain.REALTIME,
        1_000, 1, 300 * MIB);
    r.setCgroupLimitBytes(cgroupLimit);
    r.setCgroupShmemBytes(cgroupShmem);
    r.setShmemBytes(ownShmem);
    return r;
  }

  @Test
  void aLimitedCgroupsShmemIsItsProcesses() {
    // tmpfs files nobody maps show only in the cgroup, and count against its limit
    assertThat(Shmem.of(sample(2048 * MIB, 400 * MIB, 1 * MIB))).isEqualTo(400 * MIB);
  }

  @Test
  void theRootOrAnUnlimitedCgroupIsSharedAndTheProcessKeepsItsOwn() {
    // cgroup v1 reports "no limit" as about 2^63; the root cgroup as the host's
    assertThat(Shmem.of(sample(Long.MAX_VALUE - 4095, 2190 * MIB, 3 * MIB))).isEqualTo(3 * MIB);
    assertThat(Shmem.of(sample(null, 2190 * MIB, 3 * MIB))).isEqualTo(3 * MIB);
    assertThat(Shmem.of(sample(null, null, null))).isNull();
  }
}
