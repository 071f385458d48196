package io.memfleet.pipeline.model;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.schema.codec.EventCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One memfleet event on the pipeline's single timeline: who it is about, when it happened in UTC
 * nanoseconds with the error bound of that time, the few measures the pipeline itself needs, and
 * the original Avro value bytes.
 *
 * <p>Why bytes and not the Avro object: a {@code SpecificRecord} field of interface type would
 * make Flink fall back to Kryo, and a union of fifteen record types has no efficient Flink
 * serializer. The value bytes are the Kafka value exactly as received (single-object encoding),
 * so keeping them costs no re-encoding, serializes as a plain {@code byte[]}, and any stage that
 * needs the full record decodes it with {@link #record(EventCodec)}. The fields extracted here are
 * what clock alignment, the per-process join and keying need; rules may read them without
 * decoding.
 *
 * <p>Public fields and a no-arg constructor; serialized by its own {@link TimedEventSerializer}
 * (declared with {@code @TypeInfo}: no reflection, no Kryo), which also lets the stages chained
 * after the join share one decoded record.
 *
 * <pre>{@code
 * aligned.keyBy(TimedEvent::processKey).process(...);
 * if ("HeapSummary".equals(e.kind)) { long committed = e.heapCommittedBytes; }
 * GcCycle cycle = (GcCycle) e.record(codec);
 * }</pre>
 */
@TypeInfo(TimedEventSerializer.Factory.class)
public class TimedEvent {
  /** Kind of the derived native-memory events the per-process join adds to the stream. */
  public static final String NATIVE_MEMORY_KIND = "NativeMemory";
  /** Error bound of an uncalibrated event: unknown. */
  public static final long UNBOUNDED_ERROR_NS = Long.MAX_VALUE;

  // --- where it was read (null topic for derived events)
  public String topic;
  public int partition;
  public long offset;
  /** Kafka publish (create) time, epoch milliseconds. */
  public long publishTimeMs;

  // --- what and who observed it
  /** Record kind, the Avro record's simple name, e.g. {@code "ResidentMemory"}. */
  public String kind;
  public Source source;
  public ClockDomain clockDomain;
  /** Timestamp in {@link #clockDomain}'s native unit, as published. */
  public long rawTimestamp;
  public String collector;
  public long sequence;

  // --- the process it is about
  public String cluster;
  public String node;
  public String bootId;
  public int pid;
  public long processStartTimeMs;
  public String comm;
  public Runtime runtime;
  public String service;
  public String namespace;
  public String pod;
  public String container;

  // --- when, on the single timeline
  /** Event time, UTC nanoseconds since the epoch (valid once {@link #timeBasis} is not NONE). */
  public long utcNs;
  /** The true time is within {@code utcNs ± errorBoundNs}; {@link #UNBOUNDED_ERROR_NS}: unknown. */
  public long errorBoundNs;
  public TimeBasis timeBasis = TimeBasis.NONE;

  // --- measures the pipeline uses without decoding (null when the kind has none)
  public Long rssBytes;
  public Long heapUsedBytes;
  public Long heapCommittedBytes;
  public Long heapMaxBytes;
  /** Set only on derived {@link #NATIVE_MEMORY_KIND} events: RSS − managed committed. */
  public Long nativeBytes;
  /** True for a {@code ProcessLifecycle} event with phase EXITED. */
  public boolean processExited;

  /** Original Kafka value bytes (Avro single-object encoding); null for derived events. */
  public byte[] payload;

  /**
   * The decoded record, shared by this event and the copies Flink makes of it for each chained
   * operator: whichever of them decodes first decodes for all (the join's output goes to five
   * stages that read the record; each decoded it again when copies kept their own).
   */
  private transient Decoded decoded;
  /** What {@link #processId()} made last; checked against the fields by identity. */
  transient ProcessId processId;

  /** A holder the copies of one event share; only touched by the task thread that made them. */
  private static final class Decoded {
    SpecificRecord record;
  }

  public TimedEvent() {}

  /** Key of the process: {@code cluster/node/pid/processStartTimeMs}, as the Kafka record key. */
  public String processKey() {
    return processKey(cluster, node, pid, processStartTimeMs);
  }

  /**
   * The process as a key: {@link #processKey()}'s fields. Made once for this event and the
   * copies Flink makes of it for each chained operator (every per-process stage's key selector
   * asks for it), and made anew when a field of it has been set since.
   */
  public ProcessId processId() {
    ProcessId id = processId;
    if (id == null || id.pid != pid || id.startMs != processStartTimeMs
        || id.cluster != (cluster == null ? "" : cluster)
        || id.node != (node == null ? "" : node)) {
      id = new ProcessId(cluster, node, pid, processStartTimeMs);
      processId = id;
    }
    return id;
  }

  public static String processKey(String cluster, String node, int pid, long startMs) {
    return cluster + "/" + node + "/" + pid + "/" + startMs;
  }

  /** Key of the host boot whose clocks stamped the event: {@code cluster/node/bootId}. */
  public String hostKey() {
    return hostKey(cluster, node, bootId);
  }

  public static String hostKey(String cluster, String node, String bootId) {
    return cluster + "/" + node + "/" + bootId;
  }

  /** Flink event time: {@link #utcNs} in milliseconds. */
  public long eventTimeMs() {
    return Math.floorDiv(utcNs, 1_000_000L);
  }

  public boolean calibrated() {
    return timeBasis != null && timeBasis.calibrated();
  }

  /** The full Avro record, decoded once for this event and its copies; null for derived events. */
  public SpecificRecord record(EventCodec codec) {
    if (payload == null) {
      return null;
    }
    Decoded d = decoded();
    if (d.record == null) {
      d.record = codec.decode(payload);
    }
    return d.record;
  }

  private Decoded decoded() {
    if (decoded == null) {
      decoded = new Decoded();
    }
    return decoded;
  }

  /**
   * Makes a copy of {@code other} (same payload) share its decoded record, now or once either of
   * them decodes it (records are not modified once decoded).
   */
  void shareDecodedRecordOf(TimedEvent other) {
    this.decoded = other.decoded();
  }

  /** Remembers an already decoded record so that {@link #record} need not decode again. */
  public void cacheRecord(SpecificRecord record) {
    decoded().record = record;
  }

  @Override
  public String toString() {
    return kind + "[" + processKey() + " " + clockDomain + "=" + rawTimestamp + " utc=" + utcNs
        + "±" + errorBoundNs + " " + timeBasis + " seq=" + sequence + "]";
  }
}
