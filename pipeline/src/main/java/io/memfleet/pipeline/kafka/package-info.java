/** Production Kafka sources and sinks of the pipeline, configured from PipelineOptions. */
package io.memfleet.pipeline.kafka;
