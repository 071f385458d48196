/**
 * The benchmark's job as it runs on a Flink cluster: {@link
 * io.memfleet.bench.pipeline.cluster.ClusterBenchmarkJob} builds the whole memfleet job (stage JOB
 * of {@code DecodeAlignBenchmark}) with sinks that count into Flink metrics, because the
 * TaskManagers are other processes than the harness that reads the counts (over REST). Only this
 * package is added to the pipeline's job jar; nothing here may use the harness's classes.
 *
 * <p>Threading: each sink writer is called by its task's thread only; the metrics it registers are
 * read by the TaskManager's metric query service, so the values it updates are plain counters
 * (as Flink's own {@code numRecordsIn}) and volatile fields for the gauges.
 */
package io.memfleet.bench.pipeline.cluster;
