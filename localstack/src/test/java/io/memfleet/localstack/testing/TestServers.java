package io.memfleet.localstack.testing;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.KafkaBroker;
import java.nio.file.Path;

/**
 * Starts the real servers for integration tests, each in the test's own directory on free ports.
 *
 * <pre>{@code
 * @TempDir Path dir;
 * try (ClickHouseServer ch = TestServers.clickHouse(dir)) { ... }
 * }</pre>
 */
public final class TestServers {
  private TestServers() {}

  /** A started ClickHouse server (attached: stopped by close()). */
  public static ClickHouseServer clickHouse(Path dir) throws Exception {
    Capabilities.require(ClickHouseServer.findBinary().isPresent(),
        "a ClickHouse server binary (apt-get install clickhouse-server)");
    ClickHouseServer server = ClickHouseServer.builder(dir.resolve("clickhouse")).build();
    try {
      server.start();
      return server;
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  /** A started single-node KRaft Kafka broker (attached: stopped by close()). */
  public static KafkaBroker kafka(Path dir) throws Exception {
    KafkaBroker broker = KafkaBroker.builder(dir.resolve("kafka")).heap("384m").build();
    try {
      broker.start();
      return broker;
    } catch (Exception | Error e) {
      broker.close();
      throw e;
    }
  }
}
