package io.memfleet.pipeline.forensics;

import io.memfleet.pipeline.detect.OptionEnvironment;
import io.memfleet.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Settings of OOM forensics ({@code memfleet.forensics.*}, or {@code MEMFLEET_FORENSICS_*}
 * environment variables; the job configuration wins).
 *
 * <pre>{@code
 * Configuration conf = ForensicsOptions.resolve(jobConf, System.getenv());
 * Duration window = conf.get(ForensicsOptions.WINDOW);
 * }</pre>
 */
public final class ForensicsOptions {
  private ForensicsOptions() {}

  public static final ConfigOption<Boolean> ENABLED =
      ConfigOptions.key("memfleet.forensics.enabled").booleanType().defaultValue(true)
          .withDescription("Keep a rolling window of events per process and snapshot it on "
              + "every OOM kill.");

  public static final ConfigOption<String> TOPIC =
      ConfigOptions.key("memfleet.forensics.topic").stringType()
          .defaultValue(Topics.OOM_SNAPSHOTS)
          .withDescription("Kafka topic OOM snapshots are published to (Avro, key = process).");

  public static final ConfigOption<Duration> WINDOW =
      ConfigOptions.key("memfleet.forensics.window").durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription("How much of the victim's history before the kill a snapshot holds.");

  public static final ConfigOption<Duration> SLACK =
      ConfigOptions.key("memfleet.forensics.slack").durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("Extra history kept beyond the window, so events that arrive out of "
              + "order (or an OomKill noticed late) still find theirs; at least the "
              + "out-of-orderness.");

  public static final ConfigOption<Integer> MAX_EVENTS =
      ConfigOptions.key("memfleet.forensics.max-events").intType().defaultValue(5000)
          .withDescription("Most events kept per process; beyond it the oldest are dropped and "
              + "counted (metric droppedEvents).");

  public static final ConfigOption<Double> ARM_AT =
      ConfigOptions.key("memfleet.forensics.arm-at").doubleType().defaultValue(0.5)
          .withDescription("A process's events are kept only while it could be near an OOM kill:"
              + " its cgroup's unreclaimable memory (usage less page cache) at this fraction of"
              + " the limit or reaching it within 60 s at its rate, its JVM heap after GC at this"
              + " fraction of the maximum, or no limit known; others keep only the last minute by"
              + " pool for the verdict. 0 keeps every process's events.");

  public static final ConfigOption<Duration> EXIT_GRACE =
      ConfigOptions.key("memfleet.forensics.exit-grace").durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription("Event time a process's buffer is kept after it EXITED, for an "
              + "OomKill that is reported after the exit.");

  public static final ConfigOption<Duration> IDLE_TIMEOUT =
      ConfigOptions.key("memfleet.forensics.idle-timeout").durationType()
          .defaultValue(Duration.ofMinutes(2))
          .withDescription("A process with no event this long (processing time) has its buffer "
              + "dropped.");

  public static List<ConfigOption<?>> all() {
    return List.of(ENABLED, TOPIC, WINDOW, SLACK, MAX_EVENTS, ARM_AT, EXIT_GRACE, IDLE_TIMEOUT);
  }

  /** {@code conf} completed from {@code MEMFLEET_FORENSICS_*} variables it does not set. */
  public static Configuration resolve(Configuration conf, Map<String, String> env) {
    return OptionEnvironment.resolve(conf, env, all());
  }
}
