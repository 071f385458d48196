package io.memfleet.pipeline.forensics;

import io.memfleet.schema.codec.EventSchemaStore;
import io.memfleet.schema.codec.internal.SingleObjectHeader;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Cuts the process identity out of an encoded event and puts it back: every event a process
 * publishes carries the same identity in its header (cluster, node, boot id, comm, service,
 * namespace, pod, container, cgroup path, labels: 100–300 bytes in a Kubernetes pod, a third or
 * more of a typical event), and OOM forensics keeps the last 15 s of every process's events. The
 * forensic ring keeps each identity once and the events without it.
 *
 * <p>Works on the single-object encoding ({@code C3 01}, 8-byte writer-schema fingerprint, Avro
 * body): every event record's first field is its {@code EventHeader}, whose first field is the
 * {@code ProcessIdentity}, so the identity is the bytes right after the 10-byte prefix, as long
 * as the writer schema (found by its fingerprint) says so; its length comes from skipping it by
 * that schema. An event whose writer schema is unknown or shaped otherwise is not split.
 *
 * <pre>{@code
 * IdentitySplit split = new IdentitySplit(EventSchemaStore.fromClasspath());
 * int end = split.identityEnd(payload);            // -1: keep the payload whole
 * byte[] identity = Arrays.copyOfRange(payload, IdentitySplit.START, end);
 * byte[] rest = split.without(payload, end);
 * byte[] whole = IdentitySplit.join(rest, identity); // equal to payload
 * }</pre>
 *
 * <p>Not thread-safe (one per task).
 */
public final class IdentitySplit {
  /** Where the identity starts: right after the single-object prefix. */
  public static final int START = SingleObjectHeader.LENGTH;

  private final EventSchemaStore store;
  /** Identity schema per writer fingerprint; null value: that writer's events are not split. */
  private final Map<Long, Schema> identitySchemas = new HashMap<>();
  private BinaryDecoder decoder;

  public IdentitySplit(EventSchemaStore store) {
    this.store = store;
  }

  /**
   * The offset just past the identity in {@code payload}, or -1 when it cannot be told (not a
   * single-object encoding, an unknown writer schema, another shape, bytes that end early).
   */
  public int identityEnd(byte[] payload) {
    if (payload == null || payload.length <= START
        || payload[0] != SingleObjectHeader.MAGIC_0 || payload[1] != SingleObjectHeader.MAGIC_1) {
      return -1;
    }
    long fingerprint = SingleObjectHeader.fingerprint(payload);
    Schema identity = identitySchemas.computeIfAbsent(fingerprint, this::identitySchemaOf);
    if (identity == null) {
      return -1;
    }
    int length = payload.length - START;
    decoder = DecoderFactory.get().binaryDecoder(payload, START, length, decoder);
    try {
      GenericDatumReader.skip(identity, decoder);
      int remaining = decoder.inputStream().available();
      return payload.length - remaining;
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
      return -1;
    }
  }

  /** {@code payload} without the identity that ends at {@code end}. */
  public static byte[] without(byte[] payload, int end) {
    byte[] rest = new byte[payload.length - (end - START)];
    System.arraycopy(payload, 0, rest, 0, START);
    System.arraycopy(payload, end, rest, START, payload.length - end);
    return rest;
  }

  /** The whole encoded event again: {@code identity} put back into {@code rest}. */
  public static byte[] join(byte[] rest, byte[] identity) {
    byte[] whole = new byte[rest.length + identity.length];
    System.arraycopy(rest, 0, whole, 0, START);
    System.arraycopy(identity, 0, whole, START, identity.length);
    System.arraycopy(rest, START, whole, START + identity.length, rest.length - START);
    return whole;
  }

  /** Whether {@code payload}'s identity, ending at {@code end}, is {@code identity}. */
  public static boolean sameIdentity(byte[] payload, int end, byte[] identity) {
    return identity != null
        && Arrays.equals(payload, START, end, identity, 0, identity.length);
  }

  private Schema identitySchemaOf(long fingerprint) {
    Schema writer = store.findByFingerprint(fingerprint);
    if (writer == null || writer.getType() != Schema.Type.RECORD
        || writer.getFields().isEmpty()) {
      return null;
    }
    Schema header = writer.getFields().get(0).schema();
    if (!"header".equals(writer.getFields().get(0).name())
        || header.getType() != Schema.Type.RECORD || header.getFields().isEmpty()
        || !"process".equals(header.getFields().get(0).name())) {
      return null;
    }
    Schema process = header.getFields().get(0).schema();
    return process.getType() == Schema.Type.RECORD ? process : null;
  }
}
