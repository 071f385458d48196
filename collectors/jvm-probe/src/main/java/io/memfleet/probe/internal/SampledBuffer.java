package io.memfleet.probe.internal;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/**
 * A sampled direct buffer, weakly held: when the collector clears it, the ledger takes its
 * weight off its site's outstanding bytes. (A buffer's native memory goes with its object; weak,
 * not phantom, because the buffer has no finalizer to resurrect it.)
 */
final class SampledBuffer extends WeakReference<Object> {
  final long weight;
  final AllocationSite site;

  SampledBuffer(Object buffer, ReferenceQueue<Object> collected, long weight,
      AllocationSite site) {
    super(buffer, collected);
    this.weight = weight;
    this.site = site;
  }
}
