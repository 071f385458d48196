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
 * The few calls of Flink's REST API the fault tests need, as a user or a CI pipeline makes
 * them: upload a jar, run it, read job and cluster state. JSON is read with the mapper of Flink's
 * own REST endpoint.
 *
 * <pre>{@code
 * FlinkRest rest = new FlinkRest("http://127.0.0.1:8081");
 * String jarId = rest.uploadJar(jobJar);
 * String jobId = rest.runJar(jarId, List.of("memfleet.kafka.bootstrap-servers=127.0.0.1:9092"));
 * rest.get("/jobs/" + jobId).path("state").asText();
 * }</pre>
 */
final class FlinkRest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = RestMapperUtils.getFlexibleObjectMapper();

  private final String baseUrl;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  FlinkRest(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  String baseUrl() {
    return baseUrl;
  }

  /** GET {@code path}; a status other than 200 is an {@link IOException} with Flink's errors. */
  JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT).GET());
  }

  /**
   * {@code POST /jars/upload}: the jar as the multipart part {@code jarfile}, as the web UI and
   * {@code curl -F jarfile=@job.jar} send it. Returns the jar id the cluster stored it under.
   */
  String uploadJar(Path jar) throws IOException, InterruptedException {
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

  /** {@code POST /jars/{jarId}/run} with the program arguments; returns the job id. */
  String runJar(String jarId, List<String> programArgs) throws IOException, InterruptedException {
    var request = JSON.createObjectNode();
    var args = request.putArray("programArgsList");
    programArgs.forEach(args::add);
    JsonNode response = send(HttpRequest.newBuilder(URI.create(baseUrl + "/jars/" + jarId + "/run"))
        .timeout(TIMEOUT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))));
    String jobId = response.path("jobid").asText("");
    if (jobId.isEmpty()) {
      throw new IOException("no job id in the answer to /jars/" + jarId + "/run: " + response);
    }
    return jobId;
  }

  /** The ids ({@code taskmanager.resource-id}) of the TaskManagers registered with the cluster. */
  List<String> taskManagerIds() throws IOException, InterruptedException {
    List<String> ids = new ArrayList<>();
    get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
    return ids;
  }

  private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IOException(response.request().method() + " " + response.request().uri()
          + " answered " + response.statusCode() + ": " + response.body());
    }
    return JSON.readTree(response.body());
  }
}
