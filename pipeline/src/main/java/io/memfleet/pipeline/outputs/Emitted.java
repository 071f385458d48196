package io.memfleet.pipeline.outputs;

import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * An output's stream as a stage emitted it, with the Kafka topic it goes to in production (null:
 * its table only).
 */
public record Emitted<T>(Output<T> output, DataStream<T> stream, String topic) {}
