package io.memfleet.pipeline.detect;

import io.memfleet.pipeline.detect.rules.GcThrashingRule;
import io.memfleet.pipeline.detect.rules.GoHeapGrowthRule;
import io.memfleet.pipeline.detect.rules.GoroutineLeakRule;
import io.memfleet.pipeline.detect.rules.LeakRule;
import io.memfleet.pipeline.detect.rules.LiveSetGrowthRule;
import io.memfleet.pipeline.detect.rules.NativeGrowthRule;
import io.memfleet.pipeline.detect.rules.OomImminentRule;
import io.memfleet.pipeline.detect.rules.OutstandingGrowthRule;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/** The seven rules, configured from {@link DetectionOptions}. */
public final class Rules {
  private Rules() {}

  /** Every rule, validated; throws IllegalArgumentException on inconsistent settings. */
  public static List<LeakRule> all(Configuration conf) {
    Duration critical = conf.get(DetectionOptions.OOM_CRITICAL_HORIZON);
    double tolerance = conf.get(DetectionOptions.RISE_TOLERANCE);
    return List.of(
        new LiveSetGrowthRule(DetectionOptions.LIVE_SET.settings(conf), critical),
        new GoHeapGrowthRule(DetectionOptions.GO_HEAP.settings(conf), critical),
        new GoroutineLeakRule(conf.get(DetectionOptions.GOROUTINE_THRESHOLD),
            conf.get(DetectionOptions.GOROUTINE_SUSTAIN),
            conf.get(DetectionOptions.GOROUTINE_WITHIN), tolerance,
            conf.get(DetectionOptions.GOROUTINE_MIN_GROWTH)),
        new NativeGrowthRule(DetectionOptions.NATIVE.settings(conf), critical,
            conf.get(DetectionOptions.NATIVE_MANAGED_FLAT_FRACTION),
            conf.get(DetectionOptions.NATIVE_MIN_PROCESS_AGE)),
        new OutstandingGrowthRule(DetectionOptions.OUTSTANDING.settings(conf), critical),
        new OomImminentRule(conf.get(DetectionOptions.OOM_USAGE_FRACTION),
            conf.get(DetectionOptions.OOM_MIN_GROWTH_FRACTION),
            conf.get(DetectionOptions.OOM_MIN_POINTS), conf.get(DetectionOptions.OOM_WITHIN),
            critical, tolerance),
        new GcThrashingRule(conf.get(DetectionOptions.GC_TIME_FRACTION),
            conf.get(DetectionOptions.GC_HEAP_NEAR_MAX), conf.get(DetectionOptions.GC_MIN_POINTS),
            conf.get(DetectionOptions.GC_WITHIN)));
  }
}
