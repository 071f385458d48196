package io.memfleet.k8s.kustomize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * YAML in and out as plain maps and lists, the form the builder and the checks work on.
 *
 * <pre>{@code
 * List<Map<String, Object>> docs = YamlDocs.readAll(Path.of("k8s/base/kafka/topics.yaml"));
 * }</pre>
 */
public final class YamlDocs {
  // documents are read one after another from one parser: the rest of the stream is no error
  private static final ObjectMapper YAML = YAMLMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private YamlDocs() {}

  /** Every non-empty document of a file, in order. */
  public static List<Map<String, Object>> readAll(Path file) {
    try {
      return parseAll(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every non-empty document of YAML text; {@code where} names it in errors. */
  public static List<Map<String, Object>> parseAll(String text, String where) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : values(text)) {
      if (!(doc instanceof Map<?, ?>)) {
        throw new IllegalArgumentException(where + ": a document is not a mapping: " + doc);
      }
      docs.add(YAML.convertValue(doc, new TypeReference<LinkedHashMap<String, Object>>() {}));
    }
    return docs;
  }

  /** The first YAML document, of any shape (a JSON 6902 patch is a list), or null. */
  public static Object firstValue(String text) {
    List<Object> all = values(text);
    return all.isEmpty() ? null : all.get(0);
  }

  /**
   * The documents of a YAML stream, one value each. Read token by token: a reader's
   * {@code readValues} would unwrap a document that is a list into its elements.
   */
  private static List<Object> values(String text) {
    List<Object> out = new ArrayList<>();
    try (JsonParser p = YAML.createParser(text)) {
      while (p.nextToken() != null) {
        JsonNode node = YAML.readTree(p);
        if (node != null && !node.isNull() && !node.isMissingNode()) {
          out.add(YAML.convertValue(node, Object.class));
        }
      }
    }
    return out;
  }

  /** Deep copy, so a transformation never reaches into a shared input. */
  @SuppressWarnings("unchecked")
  public static <T> T copy(T value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put((String) k, copy(v)));
      return (T) out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(copy(v)));
      return (T) out;
    }
    return value;
  }

  /** YAML text of a value, e.g. to show a resource in an assertion message. */
  public static String write(Object value) {
    return YAML.writeValueAsString(value);
  }

  /** The value at a path of map keys, or null where any step is missing. */
  @SuppressWarnings("unchecked")
  public static <T> T at(Object root, String... keys) {
    Object cur = root;
    for (String key : keys) {
      if (!(cur instanceof Map<?, ?> map)) {
        return null;
      }
      cur = map.get(key);
    }
    return (T) cur;
  }
}
