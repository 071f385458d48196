package io.memfleet.probe.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * What the hook does with one direct allocation: a random draw decides whether it is sampled
 * (that draw is all an unsampled allocation costs); a sampled one has its stack walked and is
 * recorded in the ledger with its weight.
 */
final class AllocationRecorder {
  private final Sampler sampler;
  private final SampleLedger ledger;

  AllocationRecorder(Sampler sampler, SampleLedger ledger) {
    this.sampler = sampler;
    this.ledger = ledger;
  }

  void onAllocation(Object buffer, int capacity) {
    long weight = sampler.weightOf(capacity, ThreadLocalRandom.current().nextDouble());
    if (weight > 0) {
      ledger.record(buffer, StackCapture.allocatingStack(), weight);
    }
  }
}
