/**
 * Kafka records to events: {@link io.memfleet.pipeline.decode.RawRecordDeserializer} keeps the
 * bytes and coordinates, {@link io.memfleet.pipeline.decode.DecodeFunction} decodes with the
 * memfleet codec and dead-letters what it cannot use, so a bad record never stops the job.
 */
package io.memfleet.pipeline.decode;
