package io.memfleet.k8s.schema;

/**
 * One way a manifest or dashboard breaks its schema.
 *
 * @param file where the object comes from, relative to k8s/ (e.g. {@code base/kafka/kafka.yaml},
 *     or {@code overlays/prod → base/kafka/kafka.yaml} for an object of a build)
 * @param object what was checked: {@code Kafka memfleet (kafka.strimzi.io/v1)} or a dashboard's
 *     title
 * @param path JSON path of the offending value, e.g. {@code $.spec.kafka.listeners[0].tlss}
 * @param message what is wrong
 * @param schema the schema that says so, e.g. {@code Strimzi 1.2.0} or {@code Kubernetes 1.32}
 */
public record SchemaViolation(String file, String object, String path, String message,
    String schema) {

  @Override
  public String toString() {
    return file + ": " + object + " at " + path + ": " + message + " [" + schema + "]";
  }
}
