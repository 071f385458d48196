package io.memfleet.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SamplerTest {
  private static final long SAMPLE_BYTES = 256 * 1024;

  @ParameterizedTest(name = "{0} bytes x {1}")
  @CsvSource({
      "1024, 4000000",       // p ~ 0.004: weight ~ sampleBytes
      "65536, 400000",       // p ~ 0.22
      "1048576, 100000",     // p ~ 0.98
      "10485760, 10000"})    // p = 1: every buffer seen at its own size
  void summedWeightsEstimateAllocatedBytes(long capacity, int allocations) {
    Sampler sampler = new Sampler(SAMPLE_BYTES);
    SplittableRandom random = new SplittableRandom(42);
    double estimated = 0;
    for (int i = 0; i < allocations; i++) {
      estimated += sampler.weightOf(capacity, random.nextDouble());
    }
    double allocated = (double) capacity * allocations;
    assertThat(estimated / allocated).isCloseTo(1.0, within(0.03));
  }

  @Test
  void samplesAboutOncePerSampleBytesOfSmallBuffers() {
    Sampler sampler = new Sampler(SAMPLE_BYTES);
    SplittableRandom random = new SplittableRandom(7);
    int sampled = 0;
    int allocations = 1_000_000;
    for (int i = 0; i < allocations; i++) {
      if (sampler.weightOf(512, random.nextDouble()) > 0) {
        sampled++;
      }
    }
    double expected = 512.0 * allocations / SAMPLE_BYTES; // ~1953
    assertThat((double) sampled).isCloseTo(expected, within(expected * 0.1));
  }

  @Test
  void aBufferWithoutBytesIsNeverSampled() {
    assertThat(new Sampler(SAMPLE_BYTES).weightOf(0, 0.0)).isZero();
  }

  @Test
  void aHugeBufferWeighsItsOwnSize() {
    assertThat(new Sampler(SAMPLE_BYTES).weightOf(1L << 30, 0.999)).isEqualTo(1L << 30);
  }
}
