package io.memfleet.pipeline.detect;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Every setting of leak detection, typed, with defaults that find the bundled demo leaks within
 * about two minutes on a laptop. Keys are {@code memfleet.detect.*}; each can be set in the job
 * configuration or as the environment variable {@code MEMFLEET_DETECT_...} (dots and dashes to
 * underscores, upper case). A value in the job configuration wins over the environment.
 *
 * <pre>{@code
 * Configuration conf = DetectionOptions.resolve(jobConf, System.getenv());
 * Duration window = conf.get(DetectionOptions.OOM_WINDOW);
 * GrowthSettings liveSet = DetectionOptions.LIVE_SET.settings(conf);
 * }</pre>
 */
public final class DetectionOptions {
  private DetectionOptions() {}

  public static final ConfigOption<Boolean> ENABLED =
      ConfigOptions.key("memfleet.detect.enabled").booleanType().defaultValue(true)
          .withDescription("Run the leak detection rules and publish alerts.");

  public static final ConfigOption<String> ALERTS_TOPIC =
      ConfigOptions.key("memfleet.detect.alerts-topic").stringType()
          .defaultValue(io.memfleet.schema.Topics.ALERTS)
          .withDescription("Kafka topic alerts are published to (Avro, key = process).");

  public static final ConfigOption<Duration> BUCKET =
      ConfigOptions.key("memfleet.detect.bucket").durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("Event-time bucket each series is folded into before the rules "
              + "(floor of heap after GC, peak of cgroup usage, GC time per bucket, ...).");

  public static final ConfigOption<Duration> OOM_BUCKET =
      ConfigOptions.key("memfleet.detect.oom.bucket").durationType()
          .defaultValue(Duration.ofSeconds(2))
          .withDescription("Bucket of the series the OOM forecasts read: cgroup memory, and the "
              + "JVM heap after GC (the live-set rule folds it back to its 10-s floors and "
              + "forecasts from the newest live set a collection showed, at its own time): a "
              + "process that reaches its limit within a minute needs finer steps than the "
              + "leak rules.");

  public static final ConfigOption<Duration> FROM_START_WINDOW =
      ConfigOptions.key("memfleet.detect.from-start.window").durationType()
          .defaultValue(Duration.ofMinutes(2))
          .withDescription("A rising run that begins this soon after its process started grows "
              + "'from the start': no steady state was seen before it, so it may be a warm-up or "
              + "a cache filling; it must go on for the rule's min-span after this window "
              + "(unless it is at least half its limit and reaches it within as long as it has "
              + "been seen rising).");

  public static final ConfigOption<Integer> MAX_SERIES_PER_PROCESS =
      ConfigOptions.key("memfleet.detect.max-series-per-process").intType().defaultValue(256)
          .withDescription("Series (mostly allocation stacks) tracked per process; beyond it new "
              + "stacks are counted and ignored, which bounds per-process state.");

  public static final ConfigOption<Duration> IDLE_TIMEOUT =
      ConfigOptions.key("memfleet.detect.idle-timeout").durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription("A process with no event this long (processing time) has its "
              + "detection state dropped, as after ProcessLifecycle EXITED.");

  public static final ConfigOption<Duration> RESOLVE_AFTER =
      ConfigOptions.key("memfleet.detect.resolve-after").durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription("An alert whose series (and the process's resident set) did not grow "
              + "for this long (event time) is RESOLVED; so is one whose series falls back below "
              + "where it began, and every alert of a process that exits.");

  public static final ConfigOption<Double> RISE_TOLERANCE =
      ConfigOptions.key("memfleet.detect.rise-tolerance").doubleType().defaultValue(0.02)
          .withDescription("A bucket may be this fraction below the previous one and still "
              + "count as part of a rising run (measurement noise).");

  public static final ConfigOption<Integer> EVIDENCE_MAX =
      ConfigOptions.key("memfleet.detect.evidence-max").intType().defaultValue(24)
          .withDescription("Most evidence entries per alert (evenly thinned, first and last "
              + "kept).");

  /** Rule live-set-growth (JVM). */
  public static final GrowthOptions LIVE_SET = new GrowthOptions("live-set",
      "the JVM heap after GC", 4, Duration.ofSeconds(90), Duration.ofMinutes(10), 0.10, 8L << 20);

  public static final ConfigOption<Duration> LIVE_SET_YOUNG_ONLY_MIN_SPAN =
      ConfigOptions.key("memfleet.detect.live-set.young-only-min-span").durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription("Span a JVM heap run must cover when only young and mixed collections "
              + "are in it (promoted garbage climbs until an old collection takes it back).");

  /** Rule go-heap-growth. */
  public static final GrowthOptions GO_HEAP = new GrowthOptions("go-heap",
      "the Go live heap", 4, Duration.ofSeconds(90), Duration.ofMinutes(10), 0.10, 4L << 20);

  /** Rule native-growth. */
  public static final GrowthOptions NATIVE = new GrowthOptions("native",
      "native memory (RSS − managed)", 6, Duration.ofSeconds(90), Duration.ofMinutes(10), 0.10,
      8L << 20);

  /** Rule shmem-growth (shared memory and tmpfs files: what page cache is not: reclaimable). */
  public static final GrowthOptions SHMEM = new GrowthOptions("shmem",
      "shared memory and tmpfs", 6, Duration.ofSeconds(90), Duration.ofMinutes(10), 0.10,
      16L << 20);

  public static final ConfigOption<Double> NATIVE_MANAGED_FLAT_FRACTION =
      ConfigOptions.key("memfleet.detect.native.managed-flat-fraction").doubleType()
          .defaultValue(0.05)
          .withDescription("The managed heap counts as flat when it moved by at most this "
              + "fraction of its size (and less than half the native growth) over the run.");

  public static final ConfigOption<Duration> NATIVE_MIN_PROCESS_AGE =
      ConfigOptions.key("memfleet.detect.native.min-process-age").durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription("Native growth counts only this long after the process started: "
              + "runtimes grow native memory while they warm up (JIT code cache, metaspace, GC "
              + "and profiler buffers, thread stacks), which is not a leak.");

  /** Rule outstanding-growth (per malloc stack, or process mmap). */
  public static final GrowthOptions OUTSTANDING = new GrowthOptions("outstanding",
      "outstanding malloc/mmap bytes of one stack", 6, Duration.ofSeconds(90),
      Duration.ofMinutes(10), 0.10, 4L << 20);

  /** Rule goroutine-leak: counts, so the "bytes" threshold is goroutines. */
  public static final GrowthOptions GOROUTINES = new GrowthOptions("goroutines",
      "the goroutine count", 6, Duration.ofMinutes(2), Duration.ofMinutes(10), 0.20, 500L);

  public static final ConfigOption<Long> GOROUTINE_THRESHOLD =
      ConfigOptions.key("memfleet.detect.goroutines.threshold").longType().defaultValue(0L)
          .withDescription("Only goroutine counts above this are judged (0: all). The rule "
              + "looks for steady growth, not a size: a large stable pool never fires.");

  /** Rule thread-leak: counts, so the "bytes" threshold is threads. */
  public static final GrowthOptions THREADS = new GrowthOptions("threads",
      "the thread count", 6, Duration.ofMinutes(2), Duration.ofMinutes(10), 0.20, 64L);

  /** Rule metaspace-growth (JVM class metadata: metaspace + class space). */
  public static final GrowthOptions METASPACE = new GrowthOptions("metaspace",
      "JVM metaspace", 6, Duration.ofSeconds(90), Duration.ofMinutes(10), 0.10, 8L << 20);

  /** Rule direct-buffer-growth (JVM direct and mapped byte buffers). */
  public static final GrowthOptions DIRECT_BUFFERS = new GrowthOptions("direct-buffers",
      "JVM direct buffers", 6, Duration.ofSeconds(90), Duration.ofMinutes(10), 0.10, 8L << 20);

  public static final ConfigOption<Double> OOM_MIN_GROWTH_FRACTION =
      ConfigOptions.key("memfleet.detect.oom.min-growth-fraction").doubleType()
          .defaultValue(0.01)
          .withDescription("Least growth over the run (Theil–Sen) as a fraction of the limit, so "
              + "measurement noise on a high but flat cgroup is not a forecast.");

  public static final ConfigOption<Double> OOM_USAGE_FRACTION =
      ConfigOptions.key("memfleet.detect.oom.usage-fraction").doubleType().defaultValue(0.8)
          .withDescription("Cgroup usage / limit above which rising memory is an imminent OOM.");

  public static final ConfigOption<Integer> OOM_MIN_POINTS =
      ConfigOptions.key("memfleet.detect.oom.min-points").intType().defaultValue(3)
          .withDescription("Rising buckets above the usage fraction before forecasting "
              + "whatever the forecast.");

  public static final ConfigOption<Duration> OOM_WINDOW =
      ConfigOptions.key("memfleet.detect.oom.window").durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription("Trailing history the OOM-imminent rule fits its forecast on.");

  public static final ConfigOption<Duration> OOM_HORIZON =
      ConfigOptions.key("memfleet.detect.oom.horizon").durationType()
          .defaultValue(Duration.ofHours(1))
          .withDescription("Farthest forecast that fires below the usage fraction.");

  public static final ConfigOption<Double> OOM_EXTRAPOLATION =
      ConfigOptions.key("memfleet.detect.oom.extrapolation").doubleType().defaultValue(1.0)
          .withDescription("Below the usage fraction, a forecast fires only if it is at most "
              + "this many times as far ahead as the rising run it is fitted on is long.");

  public static final ConfigOption<Duration> OOM_CRITICAL_HORIZON =
      ConfigOptions.key("memfleet.detect.oom.critical-horizon").durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription("A forecast OOM sooner than this is CRITICAL, later WARNING.");

  public static final ConfigOption<Double> GC_TIME_FRACTION =
      ConfigOptions.key("memfleet.detect.gc-thrashing.gc-fraction").doubleType()
          .defaultValue(0.3)
          .withDescription("Fraction of a bucket spent in GC (stop-the-world pauses; Go: GC CPU "
              + "fraction) above which GC is thrashing, if the heap is also near its maximum.");

  public static final ConfigOption<Double> GC_HEAP_NEAR_MAX =
      ConfigOptions.key("memfleet.detect.gc-thrashing.heap-near-max").doubleType()
          .defaultValue(0.9)
          .withDescription("Heap used / max at or above which the heap is near its maximum.");

  public static final ConfigOption<Integer> GC_MIN_POINTS =
      ConfigOptions.key("memfleet.detect.gc-thrashing.min-points").intType().defaultValue(3)
          .withDescription("Thrashing buckets in a row before alerting.");

  public static final ConfigOption<Duration> GC_WITHIN =
      ConfigOptions.key("memfleet.detect.gc-thrashing.within").durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription("Bound of the GC-thrashing rule's runs: its first bucket must be less "
              + "than this before its last.");

  /** Rule slow-leak: history kept per series. */
  public static final ConfigOption<Duration> SLOW_WINDOW =
      ConfigOptions.key("memfleet.detect.slow.window").durationType()
          .defaultValue(Duration.ofHours(6))
          .withDescription("History the slow-leak rule judges per series.");

  public static final ConfigOption<Duration> SLOW_RESOLUTION =
      ConfigOptions.key("memfleet.detect.slow.resolution").durationType()
          .defaultValue(Duration.ofMinutes(5))
          .withDescription("One history point (the floor) per this much event time.");

  public static final ConfigOption<Duration> SLOW_MIN_SPAN =
      ConfigOptions.key("memfleet.detect.slow.min-span").durationType()
          .defaultValue(Duration.ofHours(1))
          .withDescription("History needed before the slow-leak rule judges.");

  public static final ConfigOption<Double> SLOW_MIN_GROWTH_FRACTION =
      ConfigOptions.key("memfleet.detect.slow.min-growth-fraction").doubleType()
          .defaultValue(0.05)
          .withDescription("Least growth over the history relative to its first point.");

  public static final ConfigOption<Long> SLOW_MIN_GROWTH_BYTES =
      ConfigOptions.key("memfleet.detect.slow.min-growth-bytes").longType()
          .defaultValue(8L << 20)
          .withDescription("Least absolute growth over the history, bytes.");

  public static final ConfigOption<Double> SLOW_MIN_RATE_OF_LIMIT =
      ConfigOptions.key("memfleet.detect.slow.min-rate-of-limit").doubleType()
          .defaultValue(0.01)
          .withDescription("Where a limit is known: least growth per hour as a fraction of it.");

  public static final ConfigOption<Double> SLOW_MIN_RISING_SHARE =
      ConfigOptions.key("memfleet.detect.slow.min-rising-share").doubleType()
          .defaultValue(0.7)
          .withDescription("Least share of point pairs in increasing order (1 = strictly "
              + "rising, about 0.5 for a flat or cyclic series).");

  /** Every option, in the order of the README's reference table. */
  public static List<ConfigOption<?>> all() {
    List<ConfigOption<?>> all = new ArrayList<>(List.of(ENABLED, ALERTS_TOPIC, BUCKET,
        OOM_BUCKET, FROM_START_WINDOW, MAX_SERIES_PER_PROCESS,
        IDLE_TIMEOUT, RESOLVE_AFTER, RISE_TOLERANCE, EVIDENCE_MAX));
    all.addAll(LIVE_SET.all());
    all.add(LIVE_SET_YOUNG_ONLY_MIN_SPAN);
    all.addAll(GO_HEAP.all());
    all.addAll(GOROUTINES.all());
    all.add(GOROUTINE_THRESHOLD);
    all.addAll(THREADS.all());
    all.addAll(METASPACE.all());
    all.addAll(DIRECT_BUFFERS.all());
    all.addAll(SHMEM.all());
    all.addAll(NATIVE.all());
    all.add(NATIVE_MANAGED_FLAT_FRACTION);
    all.add(NATIVE_MIN_PROCESS_AGE);
    all.addAll(OUTSTANDING.all());
    all.addAll(List.of(OOM_USAGE_FRACTION, OOM_MIN_GROWTH_FRACTION, OOM_MIN_POINTS, OOM_WINDOW,
        OOM_HORIZON, OOM_EXTRAPOLATION, OOM_CRITICAL_HORIZON,
        GC_TIME_FRACTION, GC_HEAP_NEAR_MAX, GC_MIN_POINTS, GC_WITHIN));
    all.addAll(List.of(SLOW_WINDOW, SLOW_RESOLUTION, SLOW_MIN_SPAN, SLOW_MIN_GROWTH_FRACTION,
        SLOW_MIN_GROWTH_BYTES, SLOW_MIN_RATE_OF_LIMIT, SLOW_MIN_RISING_SHARE));
    return all;
  }

  /** The environment variable of an option: {@code MEMFLEET_DETECT_...}. */
  public static String envVar(ConfigOption<?> option) {
    return OptionEnvironment.envVar(option);
  }

  /**
   * {@code conf} completed from the environment: each {@code MEMFLEET_DETECT_*} variable of an
   * option that {@code conf} does not set.
   *
   * @throws IllegalArgumentException naming the variable when a value does not parse
   */
  public static Configuration resolve(Configuration conf, Map<String, String> env) {
    return OptionEnvironment.resolve(conf, env, all());
  }
}
