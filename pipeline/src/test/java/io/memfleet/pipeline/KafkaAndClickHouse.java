package io.memfleet.pipeline;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import java.nio.file.Path;

/**
 * A real Kafka broker and a real ClickHouse server for one test, started one after the other in
 * the test's directory on free ports ({@link TestServers}). Without a ClickHouse binary the test
 * is skipped, or fails under {@code CI=true}. Closing stops both.
 *
 * <pre>{@code
 * try (KafkaAndClickHouse servers = KafkaAndClickHouse.start(dir)) {
 *   servers.kafka().createTopics(...);
 *   ClickHouseConnection.builder(servers.clickHouse().httpUrl()).build();
 * }
 * }</pre>
 */
record KafkaAndClickHouse(KafkaBroker kafka, ClickHouseServer clickHouse)
    implements AutoCloseable {

  static KafkaAndClickHouse start(Path dir) throws Exception {
    // one after the other: each picks free ports, and two picking at once can pick the same
    // (a clean CI run failed so: "port … is taken by another program")
    ClickHouseServer clickHouse = TestServers.clickHouse(dir);
    try {
      return new KafkaAndClickHouse(TestServers.kafka(dir), clickHouse);
    } catch (Exception | Error e) {
      clickHouse.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      clickHouse.close();
    } finally {
      kafka.close();
    }
  }
}
