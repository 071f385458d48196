package io.memfleet.schema.codec;

import io.memfleet.schema.EventTypes;
import io.memfleet.schema.ReleasedSchemas;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Writer schemas by fingerprint: every schema a memfleet collector may have written with.
 *
 * <p>That is the current schemas of {@link EventTypes} plus every released version on the
 * classpath ({@link ReleasedSchemas}), so a reader decodes records of older collectors still
 * running in the fleet. A record from a collector newer than this reader has an unknown
 * fingerprint and is rejected rather than guessed at. Safe for concurrent use.
 *
 * <pre>{@code
 * EventSchemaStore store = EventSchemaStore.fromClasspath();
 * store.register(extraSchema);            // e.g. a schema fetched from elsewhere, or in a test
 * EventCodec codec = new EventCodec(store);
 * }</pre>
 */
public final class EventSchemaStore implements SchemaStore {

  private final Map<Long, Schema> byFingerprint = new ConcurrentHashMap<>();

  /** An empty store; mostly for tests. */
  public EventSchemaStore() {}

  /** A store with the current schemas and every release visible to this class's class loader. */
  public static EventSchemaStore fromClasspath() {
    return fromClasspath(EventSchemaStore.class.getClassLoader());
  }

  /** A store with the current schemas and every release visible to {@code loader}. */
  public static EventSchemaStore fromClasspath(ClassLoader loader) {
    EventSchemaStore store = new EventSchemaStore();
    // current first: when a release equals the current schema, keep the compiled-in instance
    EventTypes.schemas().forEach(store::register);
    ReleasedSchemas.fromClasspath(loader).all().forEach(store::register);
    return store;
  }

  /**
   * Adds a writer schema; a schema with the same fingerprint already present is kept.
   *
   * @return the schema's fingerprint
   */
  public long register(Schema schema) {
    long fingerprint = fingerprint(schema);
    byFingerprint.putIfAbsent(fingerprint, schema);
    return fingerprint;
  }

  /** The schema with this fingerprint, or {@code null} when unknown (per {@link SchemaStore}). */
  @Override
  public Schema findByFingerprint(long fingerprint) {
    return byFingerprint.get(fingerprint);
  }

  /** Number of distinct schemas known. */
  public int size() {
    return byFingerprint.size();
  }

  /**
   * The CRC-64-AVRO fingerprint of the schema's parsing canonical form, as used by single-object
   * encoding. Docs and defaults are not part of it, so editing a doc keeps the fingerprint.
   */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }
}
