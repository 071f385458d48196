package io.memfleet.pipeline;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * A real Kafka broker and a real ClickHouse server for one test, started at the same time
 * (ClickHouse on a thread of its own: most of the wait is the broker's start-up) in the test's
 * directory on free ports ({@link TestServers}). Without a ClickHouse binary the test is skipped,
 * or fails under {@code CI=true}. Closing stops both.
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
    FutureTask<ClickHouseServer> clickHouseStart =
        new FutureTask<>(() -> TestServers.clickHouse(dir));
    new Thread(clickHouseStart, "clickhouse-start").start();
    KafkaBroker kafka;
    try {
      kafka = TestServers.kafka(dir);
    } catch (Exception | Error e) {
      try {
        clickHouseStart.get().close();
      } catch (ExecutionException notStartedEither) {
        e.addSuppressed(notStartedEither.getCause());
      }
      throw e;
    }
    try {
      return new KafkaAndClickHouse(kafka, clickHouseStart.get());
    } catch (ExecutionException e) {
      kafka.close();
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw (Exception) e.getCause(); // a TestAbortedException is a skip, not an error
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
