package io.memfleet.collector.jfr;

/**
 * How much of a JVM's maximum heap its program can fill, from JFR's chunk-start configuration
 * events: {@code jdk.GCConfiguration} (which young collector), {@code
 * jdk.YoungGenerationConfiguration} (the young generation's maximum) and the {@code SurvivorRatio}
 * flag ({@code jdk.UnsignedLongFlag}).
 *
 * <p>Serial's young generation is eden and two survivor spaces, each a {@code SurvivorRatio + 2}th
 * of it (rounded down to 64 KiB), and one of them is always empty: the next young collection copies
 * into it. So a Serial heap is full — the JVM throws {@code OutOfMemoryError} — at its maximum less
 * one survivor space, which is what its {@code Runtime.maxMemory()} reports (384 MiB of a 512 MiB
 * container at {@code MaxRAMPercentage=75}: young 128 MiB, survivors 12.75 MiB each, usable 371.25
 * MiB). A live set's forecast aimed at the whole maximum comes late by the time the leak takes to
 * fill that survivor space. G1, ZGC and Shenandoah can fill their whole maximum; Parallel resizes
 * its survivors as it goes (its {@code maxMemory()} subtracts the largest they may become, a third
 * of the young generation, which is no nearer the truth), so both stay unknown here.
 *
 * <pre>{@code
 * usable.youngCollector("DefNew"); usable.youngMax(128 << 20); usable.survivorRatio(8);
 * usable.of(384L << 20);   // 371.25 MiB
 * }</pre>
 */
final class UsableHeap {
  /** JFR's name of Serial's young collector. */
  static final String SERIAL_YOUNG = "DefNew";
  /** HotSpot sizes a generation's spaces in these steps (its SpaceAlignment, 64 KiB). */
  static final long SPACE_ALIGNMENT = 64 * 1024;

  private String youngCollector;
  private long youngMaxBytes = -1;
  private long survivorRatio = -1;

  void youngCollector(String name) {
    this.youngCollector = name;
  }

  void youngMax(long bytes) {
    this.youngMaxBytes = bytes;
  }

  void survivorRatio(long ratio) {
    this.survivorRatio = ratio;
  }

  /**
   * The usable part of {@code maxBytes}, or null where it is the whole maximum or not yet known
   * (the configuration events come at a chunk's start, perhaps after the first summaries).
   */
  Long of(Long maxBytes) {
    if (maxBytes == null || !SERIAL_YOUNG.equals(youngCollector) || youngMaxBytes <= 0
        || survivorRatio < 1 || youngMaxBytes >= maxBytes) {
      return null;
    }
    long survivor = youngMaxBytes / (survivorRatio + 2);
    return maxBytes - (survivor > SPACE_ALIGNMENT
        ? survivor - survivor % SPACE_ALIGNMENT : SPACE_ALIGNMENT);
  }
}
