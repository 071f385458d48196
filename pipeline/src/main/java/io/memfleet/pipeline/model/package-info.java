/**
 * The records that flow between the pipeline's operators: Flink POJOs, serialized without Kryo.
 */
package io.memfleet.pipeline.model;
