package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.cluster.BenchmarkMetrics;
import io.memfleet.pipeline.cluster.FlinkRest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;

/**
 * The benchmark metrics of a job on a cluster ({@link BenchmarkMetrics}), read over the REST API
 * as the web UI reads them: {@code GET /jobs/{job}/vertices/{vertex}/metrics} lists a vertex's
 * metric ids ({@code <subtask>.<operator>.<group…>.<name>}), {@code ?get=id,…} gives their values.
 * The JobManager fetches them from the TaskManagers at most every {@code
 * metrics.fetcher.update-interval} (1 s on the benchmark's cluster), so a value can be that old.
 *
 * <pre>{@code
 * JobMetrics metrics = new JobMetrics(flink.rest(), jobId);
 * Map<String, List<Long>> events = metrics.read(BenchmarkMetrics.EVENTS);   // one per subtask
 * }</pre>
 */
final class JobMetrics {
  /** Keeps a {@code ?get=} query well under the REST server's 4 KiB request line. */
  private static final int MAX_QUERY_CHARS = 2_000;
  private static final String MARK = BenchmarkMetrics.GROUP + ".";

  private final FlinkRest rest;
  private final String job;
  /** Vertex → benchmark metric ids, once every one of them is registered. */
  private Map<String, List<String>> ids = Map.of();

  JobMetrics(FlinkRest rest, String job) {
    this.rest = rest;
    this.job = job;
  }

  /**
   * The benchmark metrics whose name (what follows {@code memfleetBench.}) starts with
   * {@code prefix}, by name, one value per subtask (a name in several operators: one per subtask
   * and operator).
   */
  Map<String, List<Long>> read(String prefix) throws IOException, InterruptedException {
    if (ids.isEmpty()) {
      discover();
    }
    Map<String, List<Long>> values = new TreeMap<>();
    for (Map.Entry<String, List<String>> vertex : ids.entrySet()) {
      List<String> wanted = vertex.getValue().stream()
          .filter(id -> name(id).startsWith(prefix)).toList();
      for (List<String> chunk : chunks(wanted)) {
        StringBuilder get = new StringBuilder();
        for (String id : chunk) {
          get.append(get.length() == 0 ? "" : ",").append(URLEncoder.encode(id,
              StandardCharsets.UTF_8));
        }
        for (JsonNode metric : rest.get("/jobs/" + job + "/vertices/" + vertex.getKey()
            + "/metrics?get=" + get)) {
          values.computeIfAbsent(name(metric.path("id").asText()), n -> new ArrayList<>())
              .add(parse(metric.path("value").asText()));
        }
      }
    }
    return values;
  }

  /** Lists the metrics again at the next {@link #read}: e.g. for outputs registered late. */
  void refresh() {
    ids = Map.of();
  }

  /** The sum of a metric over its subtasks; 0 when it is not (yet) reported. */
  static long sum(Map<String, List<Long>> values, String name) {
    return values.getOrDefault(name, List.of()).stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Lists every vertex's benchmark metrics. Keeps them once the event sink reports from every
   * subtask (all writers are created when their tasks start, before the first record).
   */
  private void discover() throws IOException, InterruptedException {
    Map<String, List<String>> found = new TreeMap<>();
    int expectedSinks = 0;
    int sinks = 0;
    for (JsonNode vertex : rest.get("/jobs/" + job).path("vertices")) {
      String id = vertex.path("id").asText();
      List<String> metrics = new ArrayList<>();
      for (JsonNode metric : rest.get("/jobs/" + job + "/vertices/" + id + "/metrics")) {
        String metricId = metric.path("id").asText();
        if (metricId.contains(MARK)) {
          metrics.add(metricId);
          if (name(metricId).equals(BenchmarkMetrics.EVENTS)) {
            sinks++;
          }
        }
      }
      if (!metrics.isEmpty()) {
        found.put(id, metrics);
        expectedSinks = Math.max(expectedSinks, vertex.path("parallelism").asInt());
      }
    }
    if (sinks > 0 && sinks == expectedSinks) {
      ids = found;
    }
  }

  /** {@code 0.events__Writer.memfleetBench.output.x.rows} → {@code output.x.rows}. */
  private static String name(String id) {
    return id.substring(id.indexOf(MARK) + MARK.length());
  }

  private static long parse(String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return (long) Double.parseDouble(value);
    }
  }

  private static List<List<String>> chunks(List<String> ids) {
    List<List<String>> chunks = new ArrayList<>();
    List<String> chunk = new ArrayList<>();
    int chars = 0;
    for (String id : ids) {
      if (!chunk.isEmpty() && chars + id.length() > MAX_QUERY_CHARS) {
        chunks.add(chunk);
        chunk = new ArrayList<>();
        chars = 0;
      }
      chunk.add(id);
      chars += id.length() + 3;
    }
    if (!chunk.isEmpty()) {
      chunks.add(chunk);
    }
    return chunks;
  }
}
