/**
 * Avro single-object encoding of memfleet records, and decoding with schema resolution.
 *
 * <p>Public API: {@link io.memfleet.schema.codec.EventCodec}, {@link
 * io.memfleet.schema.codec.EventSchemaStore}, {@link io.memfleet.schema.codec.EventDecodeException}
 * and {@link io.memfleet.schema.codec.Events}. Everything under {@code internal} may change.
 *
 * <p>Threading: {@code EventCodec} and {@code EventSchemaStore} are safe for concurrent use; one
 * instance per JVM (or per Flink task) is the intended use. Decoded records are new objects owned
 * by the caller.
 */
package io.memfleet.schema.codec;
