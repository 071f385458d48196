package io.memfleet.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.flink.configuration.ConfigOption;

/**
 * Attaches more operators and sinks to the pipeline's streams before the job starts: detection
 * rules, OOM forensics, ClickHouse sinks. {@code memfleet pipeline} finds implementations
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

  /**
   * The extension's own settings: {@code memfleet pipeline}, the job jar and the configuration
   * reference accept them as job options and as {@code MEMFLEET_*} variables.
   */
  default List<ConfigOption<?>> options() {
    return List.of();
  }

  /** The extensions on the class path ({@code META-INF/services}), in their listed order. */
  static List<PipelineExtension> loaded() {
    List<PipelineExtension> extensions = new ArrayList<>();
    ServiceLoader.load(PipelineExtension.class).forEach(extensions::add);
    return extensions;
  }
}
