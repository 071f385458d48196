package io.memfleet.schema;

import io.memfleet.event.Alert;
import io.memfleet.event.ClockSync;
import io.memfleet.event.DeadLetter;
import io.memfleet.event.OomSnapshot;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.schema.codec.Events;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Kafka topic names and the record key, in one place for collectors, pipeline and tools.
 *
 * <p>Events go to one topic per source, so a noisy source (eBPF malloc sampling) cannot starve a
 * quiet one and each can be retained and partitioned on its own terms. Several event kinds share
 * a topic; the single-object fingerprint in each value says which kind it is.
 *
 * <pre>{@code
 * producer.send(new ProducerRecord<>(Topics.forRecord(event),
 *     Topics.key(Events.header(event).getProcess()), codec.encode(event)));
 * }</pre>
 */
public final class Topics {

  public static final String EVENTS_JFR = "memfleet.events.jfr";
  public static final String EVENTS_GO = "memfleet.events.go";
  public static final String EVENTS_EBPF = "memfleet.events.ebpf";
  public static final String EVENTS_PERF = "memfleet.events.perf";
  public static final String EVENTS_PROCFS = "memfleet.events.procfs";
  /** {@code ClockSync} samples from every collector. */
  public static final String CLOCK = "memfleet.clock";
  /** {@code Alert}s from the detection rules. */
  public static final String ALERTS = "memfleet.alerts";
  /** {@code OomSnapshot}s from OOM forensics. */
  public static final String OOM_SNAPSHOTS = "memfleet.oom-snapshots";
  /** {@code DeadLetter}s: records the pipeline could not process. */
  public static final String DEADLETTER = "memfleet.deadletter";

  private static final List<String> EVENT_TOPICS =
      List.of(EVENTS_JFR, EVENTS_GO, EVENTS_EBPF, EVENTS_PERF, EVENTS_PROCFS);
  private static final List<String> ALL =
      List.of(
          EVENTS_JFR, EVENTS_GO, EVENTS_EBPF, EVENTS_PERF, EVENTS_PROCFS,
          CLOCK, ALERTS, OOM_SNAPSHOTS, DEADLETTER);

  private Topics() {}

  /** Every memfleet topic, e.g. to create them on a fresh broker. */
  public static List<String> all() {
    return ALL;
  }

  /** The per-source event topics the pipeline decodes (not clock, alerts, snapshots, DLQ). */
  public static List<String> eventTopics() {
    return EVENT_TOPICS;
  }

  /**
   * The event topic for a source.
   *
   * @throws IllegalArgumentException for {@code UNKNOWN} and {@code PIPELINE}, which have no
   *     event topic (pipeline outputs have their own topics, see {@link #forRecord})
   */
  public static String forSource(Source source) {
    switch (source) {
      case JFR:
        return EVENTS_JFR;
      case GO_EXPVAR:
      case GO_GCTRACE:
        return EVENTS_GO;
      case EBPF:
        return EVENTS_EBPF;
      case PERF:
        return EVENTS_PERF;
      case PROCFS:
      case CGROUP:
        // cgroup counters are read by the same procfs collector and joined with its RSS samples
        return EVENTS_PROCFS;
      default:
        throw new IllegalArgumentException("no event topic for source " + source);
    }
  }

  /**
   * The topic a record belongs on: its own topic for clock samples and pipeline outputs, the
   * source's topic for every other event.
   */
  public static String forRecord(SpecificRecord record) {
    if (record instanceof ClockSync) {
      return CLOCK;
    } else if (record instanceof Alert) {
      return ALERTS;
    } else if (record instanceof OomSnapshot) {
      return OOM_SNAPSHOTS;
    } else if (record instanceof DeadLetter) {
      return DEADLETTER;
    }
    var header = Events.header(record);
    if (header == null) {
      throw new IllegalArgumentException(
          "not a memfleet event: " + record.getSchema().getFullName());
    }
    return forSource(header.getSource());
  }

  /**
   * The Kafka record key: UTF-8 of {@code cluster/node/pid/processStartTimeMs}.
   *
   * <p>The key is the process identity so that all events of one process land in one partition
   * and stay in order; the start time is part of it because pids are reused.
   */
  public static byte[] key(ProcessIdentity process) {
    String key =
        process.getCluster() + "/" + process.getNode() + "/" + process.getPid() + "/"
            + process.getProcessStartTimeMs();
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
