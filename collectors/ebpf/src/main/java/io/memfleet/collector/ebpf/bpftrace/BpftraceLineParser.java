package io.memfleet.collector.ebpf.bpftrace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Parses one line of {@code bpftrace -f json} stdout at a time, so output is handled as a stream
 * and a bad line costs only itself.
 *
 * <pre>{@code
 * BpftraceLineParser parser = new BpftraceLineParser();
 * if (parser.parse(line) instanceof BpftraceOutput.Printf p) { ... p.text() ... }
 * }</pre>
 *
 * <p>Thread-safe (Jackson's {@link ObjectMapper} is, once configured).
 */
public final class BpftraceLineParser {
  private final ObjectMapper json = new ObjectMapper();

  public BpftraceOutput parse(String line) {
    if (line == null || line.isBlank()) {
      return new BpftraceOutput.Blank();
    }
    JsonNode node;
    try {
      node = json.readTree(line);
    } catch (JsonProcessingException e) {
      return new BpftraceOutput.Malformed(line, "not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject() || !node.path("type").isTextual()) {
      return new BpftraceOutput.Malformed(line, "no \"type\" field");
    }
    String type = node.get("type").asText();
    JsonNode data = node.path("data");
    switch (type) {
      case "printf":
        if (!data.isTextual()) {
          return new BpftraceOutput.Malformed(line, "printf without text data");
        }
        return new BpftraceOutput.Printf(data.asText());
      case "attached_probes":
        return new BpftraceOutput.AttachedProbes(data.path("probes").asInt(-1));
      case "lost_events":
        return new BpftraceOutput.LostEvents(data.path("events").asLong(-1));
      default:
        return new BpftraceOutput.Unknown(type, line);
    }
  }
}
