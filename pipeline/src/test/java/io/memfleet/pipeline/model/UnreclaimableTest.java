package io.memfleet.pipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.pipeline.Fixtures;
import org.junit.jupiter.api.Test;

class UnreclaimableTest {
  private static final long MIB = 1 << 20;

  private static ResidentMemory sample(Long usage, Long file, Long shmem, Long workingSet) {
    ResidentMemory r = Fixtures.rss(Fixtures.process(42, true), Source.PROCFS, ClockDomain.REALTIME,
        1_000, 1, 2 * MIB);
    r.setCgroupLimitBytes(256 * MIB);
    r.setCgroupUsageBytes(usage);
    r.setCgroupFileBytes(file);
    r.setCgroupShmemBytes(shmem);
    r.setCgroupWorkingSetBytes(workingSet);
    return r;
  }

  @Test
  void pageCacheActiveOrNotIsReclaimable() {
    // the log indexer at its limit: 247 MiB of page cache, half of it active (working set 130)
    assertThat(Unreclaimable.of(sample(255 * MIB, 247 * MIB, 0L, 130 * MIB)))
        .isEqualTo(8 * MIB);
  }

  @Test
  void tmpfsAndSharedMemoryAreNot() {
    // page cache counts tmpfs and shared memory too; without swap the kernel cannot drop them
    assertThat(Unreclaimable.of(sample(300 * MIB, 220 * MIB, 200 * MIB, 290 * MIB)))
        .isEqualTo(280 * MIB);
  }

  @Test
  void withoutMemoryStatTheWorkingSetOrUsage() {
    assertThat(Unreclaimable.of(sample(255 * MIB, null, null, 130 * MIB))).isEqualTo(130 * MIB);
    assertThat(Unreclaimable.of(sample(255 * MIB, 247 * MIB, null, null))).isEqualTo(255 * MIB);
    assertThat(Unreclaimable.of(sample(null, null, null, null))).isNull();
  }
}
