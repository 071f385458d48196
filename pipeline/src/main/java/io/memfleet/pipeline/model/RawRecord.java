package io.memfleet.pipeline.model;

import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A Kafka record exactly as it was read: coordinates, broker timestamp, key and value bytes.
 *
 * <p>The Kafka sources emit these rather than decoded events so that decoding happens in an
 * operator that can dead-letter a bad record with its original bytes and coordinates instead of
 * failing the source. Written by {@link RawRecordSerializer} (declared with {@code @TypeInfo}): no
 * reflection, no Kryo.
 *
 * <pre>{@code
 * RawRecord r = RawRecord.of("memfleet.events.jfr", 0, 42L, publishMs, key, value);
 * }</pre>
 */
@TypeInfo(RawRecordSerializer.Factory.class)
public class RawRecord {
  /** Topic the record was read from. */
  public String topic;
  /** Partition the record was read from. */
  public int partition;
  /** Offset in the partition. */
  public long offset;
  /** Kafka record timestamp (producer create time), epoch milliseconds. */
  public long timestampMs;
  /** Key bytes, null when the record had no key. */
  public byte[] key;
  /** Value bytes, null for a tombstone. */
  public byte[] value;

  public RawRecord() {}

  public static RawRecord of(
      String topic, int partition, long offset, long timestampMs, byte[] key, byte[] value) {
    RawRecord r = new RawRecord();
    r.topic = topic;
    r.partition = partition;
    r.offset = offset;
    r.timestampMs = timestampMs;
    r.key = key;
    r.value = value;
    return r;
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset + " (" + (value == null ? "null" : value.length)
        + " bytes)";
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RawRecord)) {
      return false;
    }
    RawRecord r = (RawRecord) o;
    return partition == r.partition && offset == r.offset && timestampMs == r.timestampMs
        && java.util.Objects.equals(topic, r.topic) && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(topic, partition, offset);
  }
}
