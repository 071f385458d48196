package io.memfleet.pipeline.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.runtime.rest.util.RestMapperUtils;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The few calls of Flink's REST API the fault tests and the cluster benchmark need, as a user, a
 * CI pipeline or an upgrade makes them: upload a jar, run it (from a savepoint or retained
 * checkpoint too), stop a job with a savepoint, cancel it, read job and cluster state and metrics.
 * JSON is read with the mapper of Flink's own REST endpoint.
 *
 * <pre>{@code
 * FlinkRest rest = new FlinkRest("http://127.0.0.1:8081");
 * String jarId = rest.uploadJar(jobJar);
 * String jobId = rest.runJar(jarId, List.of("memfleet.kafka.bootstrap-servers=127.0.0.1:9092"),
 *     null);
 * rest.get("/jobs/" + jobId).path("state").asText();
 * }</pre>
 */
public final class FlinkRest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = RestMapperUtils.getFlexibleObjectMapper();

  private final String baseUrl;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  public FlinkRest(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** GET {@code path}; a status other than 2xx is an {@link IOException} with Flink's errors. */
  public JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT).GET());
  }

  /**
   * {@code POST /jars/upload}: the jar as the multipart part {@code jarfile}, as the web UI and
   * {@code curl -F jarfile=@job.jar} send it. Returns the jar id the cluster stored it under.
   */
  public String uploadJar(Path jar) throws IOException, InterruptedException {
    String boundary = "memfleet-" + UUID.randomUUID();
    String head = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName()
        + "\"\r\n"
        + "Content-Type: application/x-java-archive\r\n\r\n";
    String tail = "\r\n--" + boundary + "--\r\n";
    HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.concat(
        HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
        HttpRequest.BodyPublishers.ofFile(jar),
        HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8));
    JsonNode response = send(HttpRequest.newBuilder(URI.create(baseUrl + "/jars/upload"))
        .timeout(TIMEOUT).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(body));
    if (!"success".equals(response.path("status").asText())) {
      throw new IOException("jar upload not accepted: " + response);
    }
    // "filename" is where the cluster keeps the jar; its file name is the id /jars/{id} takes
    return Path.of(response.path("filename").asText()).getFileName().toString();
  }

  /**
   * {@code POST /jars/{jarId}/run} with the program arguments and the job's parallelism; returns
   * the job id (a new one). The parallelism is sent as the Flink Kubernetes Operator sends its
   * {@code job.parallelism}: a run request without one runs the job at parallelism 1, whatever
   * the cluster's {@code parallelism.default}.
   *
   * @param restoreFrom a retained checkpoint or a savepoint the job starts from (its
   *     {@code savepointPath}, all of whose state must be taken), or null for a job without state
   */
  public String runJar(String jarId, List<String> programArgs, int parallelism,
      Path restoreFrom)
      throws IOException, InterruptedException {
    var request = JSON.createObjectNode();
    request.put("parallelism", parallelism);
    var args = request.putArray("programArgsList");
    programArgs.forEach(args::add);
    if (restoreFrom != null) {
      request.put("savepointPath", restoreFrom.toString()).put("allowNonRestoredState", false);
    }
    JsonNode response = post("/jars/" + jarId + "/run", request);
    String jobId = response.path("jobid").asText("");
    if (jobId.isEmpty()) {
      throw new IOException("no job id in the answer to /jars/" + jarId + "/run: " + response);
    }
    return jobId;
  }

  /**
   * {@code POST /jobs/{jobId}/stop}: a savepoint into the cluster's
   * {@code execution.checkpointing.savepoint-dir}, after which the job ends (FINISHED) with its
   * sources not drained — how an upgrade stops a job. Returns the trigger id of the operation.
   */
  String stopWithSavepoint(String jobId) throws IOException, InterruptedException {
    JsonNode response = post("/jobs/" + jobId + "/stop", JSON.createObjectNode()
        .put("drain", false));
    String trigger = response.path("request-id").asText("");
    if (trigger.isEmpty()) {
      throw new IOException("no request id in the answer to /jobs/" + jobId + "/stop: "
          + response);
    }
    return trigger;
  }

  /**
   * {@code GET /jobs/{jobId}/savepoints/{triggerId}}: {@code status.id} is IN_PROGRESS or
   * COMPLETED; once completed, {@code operation} holds the {@code location} of the savepoint or
   * a {@code failure-cause}.
   */
  JsonNode savepointOperation(String jobId, String triggerId)
      throws IOException, InterruptedException {
    return get("/jobs/" + jobId + "/savepoints/" + triggerId);
  }

  /**
   * {@code PATCH /jobs/{jobId}?mode=cancel}: asks the cluster to cancel the job and returns; the
   * job is CANCELED once its tasks have stopped.
   */
  public void cancel(String jobId) throws IOException, InterruptedException {
    send(HttpRequest.newBuilder(URI.create(baseUrl + "/jobs/" + jobId + "?mode=cancel"))
        .timeout(TIMEOUT).method("PATCH", HttpRequest.BodyPublishers.noBody()));
  }

  /** The ids ({@code taskmanager.resource-id}) of the TaskManagers registered with the cluster. */
  List<String> taskManagerIds() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
    return ids;
  }

  private JsonNode post(String path, JsonNode request) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))));
  }

  /** Sends {@code request}; a status other than 2xx (202 for operations) is an IOException. */
  private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() / 100 != 2) {
      throw new IOException(response.request().method() + " " + response.request().uri()
          + " answered " + response.statusCode() + ": " + response.body());
    }
    String body = response.body();
    return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
  }
}
