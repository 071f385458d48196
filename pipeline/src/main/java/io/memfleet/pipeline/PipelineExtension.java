package io.memfleet.pipeline;

/**
 * Attaches more operators and sinks to the pipeline's streams before the job starts: detection
 * rules (CEP), OOM forensics, ClickHouse sinks. {@code memfleet pipeline} finds implementations
 * with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.memfleet.pipeline.PipelineExtension}); tests pass them to
 * {@link MemfleetJob.Builder#extension}.
 *
 * <pre>{@code
 * public final class ClickHouseSinks implements PipelineExtension {
 *   public void attach(PipelineStreams streams) {
 *     streams.nativeMemory().sinkTo(nativeMemoryTable(streams.options()));
 *   }
 * }
 * }</pre>
 */
public interface PipelineExtension {
  /** Adds operators and sinks; called once while the job graph is built. */
  void attach(PipelineStreams streams) throws Exception;
}
