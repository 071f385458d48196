package io.memfleet.pipeline.detect;

import io.memfleet.event.MemoryPool;
import io.memfleet.event.Runtime;
import io.memfleet.pipeline.detect.rules.GcThrashingRule;
import io.memfleet.pipeline.detect.rules.GoHeapGrowthRule;
import io.memfleet.pipeline.detect.rules.GoroutineLeakRule;
import io.memfleet.pipeline.detect.rules.LeakRule;
import io.memfleet.pipeline.detect.rules.LiveSetGrowthRule;
import io.memfleet.pipeline.detect.rules.NativeGrowthRule;
import io.memfleet.pipeline.detect.rules.OomImminentRule;
import io.memfleet.pipeline.detect.rules.OutstandingGrowthRule;
import io.memfleet.pipeline.detect.rules.PoolGrowthRule;
import io.memfleet.pipeline.detect.rules.SlowGrowthRule;
import io.memfleet.pipeline.detect.rules.ThreadLeakRule;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/** Every detection rule, configured from {@link DetectionOptions}. */
public final class Rules {
  private Rules() {}

  /** Every rule, validated; throws IllegalArgumentException on inconsistent settings. */
  public static List<LeakRule> all(Configuration conf) {
    Duration critical = conf.get(DetectionOptions.OOM_CRITICAL_HORIZON);
    double tolerance = conf.get(DetectionOptions.RISE_TOLERANCE);
    return List.of(
        new LiveSetGrowthRule(DetectionOptions.LIVE_SET.settings(conf), critical,
            conf.get(DetectionOptions.LIVE_SET_YOUNG_ONLY_MIN_SPAN),
            conf.get(DetectionOptions.BUCKET)),
        new GoHeapGrowthRule(DetectionOptions.GO_HEAP.settings(conf), critical),
        new GoroutineLeakRule(DetectionOptions.GOROUTINES.settings(conf), critical,
            conf.get(DetectionOptions.GOROUTINE_THRESHOLD)),
        new ThreadLeakRule(DetectionOptions.THREADS.settings(conf), critical),
        new PoolGrowthRule(PoolGrowthRule.METASPACE, MemoryPool.METASPACE, "metaspace",
            DetectionOptions.METASPACE.settings(conf), critical),
        new PoolGrowthRule(PoolGrowthRule.DIRECT_BUFFERS, MemoryPool.DIRECT_BUFFERS,
            "direct buffers", DetectionOptions.DIRECT_BUFFERS.settings(conf), critical),
        new PoolGrowthRule(PoolGrowthRule.SHMEM, MemoryPool.SHMEM, "shared memory (tmpfs)",
            DetectionOptions.SHMEM.settings(conf), critical),
        new NativeGrowthRule(DetectionOptions.NATIVE.settings(conf), critical,
            conf.get(DetectionOptions.NATIVE_MANAGED_FLAT_FRACTION),
            conf.get(DetectionOptions.NATIVE_MIN_PROCESS_AGE)),
        new OutstandingGrowthRule(DetectionOptions.OUTSTANDING.settings(conf), critical),
        new OomImminentRule(conf.get(DetectionOptions.OOM_USAGE_FRACTION),
            conf.get(DetectionOptions.OOM_MIN_GROWTH_FRACTION),
            conf.get(DetectionOptions.OOM_MIN_POINTS), conf.get(DetectionOptions.OOM_WINDOW),
            critical, conf.get(DetectionOptions.OOM_HORIZON),
            conf.get(DetectionOptions.OOM_EXTRAPOLATION), tolerance),
        new GcThrashingRule(conf.get(DetectionOptions.GC_TIME_FRACTION),
            conf.get(DetectionOptions.GC_HEAP_NEAR_MAX), conf.get(DetectionOptions.GC_MIN_POINTS),
            conf.get(DetectionOptions.GC_WITHIN)),
        slow(conf, Signal.LIVE_SET, "JVM heap after GC", o -> true),
        slow(conf, Signal.GO_LIVE_HEAP, "Go live heap", o -> true),
        // processes without a managed heap: the resident set is their memory
        slow(conf, Signal.RESIDENT, "resident memory",
            o -> o.runtime != Runtime.JVM && o.runtime != Runtime.GO));
  }

  private static SlowGrowthRule slow(Configuration conf, Signal signal, String words,
      SlowGrowthRule.SerializablePredicate admit) {
    return new SlowGrowthRule(signal, words, admit, conf.get(DetectionOptions.SLOW_WINDOW),
        conf.get(DetectionOptions.SLOW_RESOLUTION), conf.get(DetectionOptions.SLOW_MIN_SPAN),
        conf.get(DetectionOptions.SLOW_MIN_GROWTH_FRACTION),
        conf.get(DetectionOptions.SLOW_MIN_GROWTH_BYTES),
        conf.get(DetectionOptions.SLOW_MIN_RATE_OF_LIMIT),
        conf.get(DetectionOptions.SLOW_MIN_RISING_SHARE),
        conf.get(DetectionOptions.OOM_CRITICAL_HORIZON));
  }
}
