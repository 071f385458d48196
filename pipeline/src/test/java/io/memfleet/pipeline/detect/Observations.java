package io.memfleet.pipeline.detect;

import io.memfleet.event.Runtime;

/** Hand-made observations of one process for the rule tests. */
public final class Observations {
  public static final long T0_NS = 1_700_000_100_000L * 1_000_000L;
  public static final long MB = 1L << 20;
  public static final long S = 1_000_000_000L;

  private Observations() {}

  /** An observation of {@code signal} at T0 + seconds, of process pid on node. */
  public static Observation of(Signal signal, String node, int pid, double seconds, double value,
      double companion) {
    Observation o = new Observation();
    o.signal = signal;
    o.series = "";
    o.cluster = "test-cluster";
    o.node = node;
    o.bootId = "boot-" + node;
    o.pid = pid;
    o.processStartTimeMs = 1_700_000_000_000L;
    o.comm = "leaky";
    o.runtime = signal == Signal.GO_LIVE_HEAP || signal == Signal.GOROUTINES ? Runtime.GO
        : Runtime.JVM;
    o.service = "checkout";
    o.utcNs = T0_NS + (long) (seconds * S);
    o.bucketStartUtcNs = o.utcNs - o.utcNs % (10 * S);
    o.count = 3;
    o.value = value;
    o.companion = companion;
    return o;
  }

  public static Observation of(Signal signal, double seconds, double value, double companion) {
    return of(signal, "node-1", 4242, seconds, value, companion);
  }
}
