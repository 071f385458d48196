package io.memfleet.probe.internal;

/**
 * Decides which allocations to sample and what each sample stands for. An allocation of
 * {@code c} bytes is sampled with probability {@code p = 1 - exp(-c / sampleBytes)} and then
 * weighs {@code c / p} bytes, so summed weights estimate allocated bytes without bias: large
 * buffers are (almost) always seen, small ones about once per {@code sampleBytes}.
 */
final class Sampler {
  private final double sampleBytes;

  Sampler(long sampleBytes) {
    this.sampleBytes = sampleBytes;
  }

  /**
   * The weight in bytes if the allocation is sampled, else 0.
   *
   * @param uniform a uniform draw from [0, 1)
   */
  long weightOf(long capacity, double uniform) {
    double p = -Math.expm1(-capacity / sampleBytes);
    if (uniform >= p) {
      return 0;
    }
    return Math.max(1, Math.round(capacity / p));
  }
}
