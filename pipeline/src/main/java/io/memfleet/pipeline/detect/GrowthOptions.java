package io.memfleet.pipeline.detect;

import io.memfleet.pipeline.detect.rules.GrowthSettings;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * The five typed options every growth rule has, under {@code memfleet.detect.<rule>.}: how many
 * buckets and how much event time a rising run must cover, the {@code within} bound, and the
 * least growth (relative and absolute) the robust trend must show. See {@link DetectionOptions}.
 */
public final class GrowthOptions {
  public final ConfigOption<Integer> minPoints;
  public final ConfigOption<Duration> minSpan;
  public final ConfigOption<Duration> within;
  public final ConfigOption<Double> minGrowthFraction;
  public final ConfigOption<Long> minGrowthBytes;

  GrowthOptions(String rule, String what, int points, Duration span, Duration within,
      double fraction, long bytes) {
    String p = "memfleet.detect." + rule + ".";
    this.minPoints = ConfigOptions.key(p + "min-points").intType().defaultValue(points)
        .withDescription("Buckets in a row in which " + what + " does not fall (beyond the rise "
            + "tolerance) before the rule judges the trend.");
    this.minSpan = ConfigOptions.key(p + "min-span").durationType().defaultValue(span)
        .withDescription("Event time the rising run must cover.");
    this.within = ConfigOptions.key(p + "within").durationType().defaultValue(within)
        .withDescription("A run's first observation must be less than this before its last: "
            + "a run not complete in this time is dropped, which bounds the rule's state.");
    this.minGrowthFraction = ConfigOptions.key(p + "min-growth-fraction").doubleType()
        .defaultValue(fraction)
        .withDescription("Least growth over the run (Theil–Sen slope × span) relative to its "
            + "first value.");
    this.minGrowthBytes = ConfigOptions.key(p + "min-growth-bytes").longType()
        .defaultValue(bytes)
        .withDescription("Least absolute growth over the run, in the series' unit: bytes, or "
            + "goroutines and threads for those rules.");
  }

  List<ConfigOption<?>> all() {
    return List.of(minPoints, minSpan, within, minGrowthFraction, minGrowthBytes);
  }

  /** The settings from {@code conf}, with the shared rise tolerance. */
  public GrowthSettings settings(Configuration conf) {
    return GrowthSettings.builder()
        .minPoints(conf.get(minPoints))
        .minSpan(conf.get(minSpan))
        .within(conf.get(within))
        .minGrowthFraction(conf.get(minGrowthFraction))
        .minGrowthBytes(conf.get(minGrowthBytes))
        .riseTolerance(conf.get(DetectionOptions.RISE_TOLERANCE))
        .fromStart(conf.get(DetectionOptions.FROM_START_WINDOW))
        .build();
  }
}
