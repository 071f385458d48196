package io.memfleet.localstack.testing;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.KafkaBroker;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts the real servers for integration tests, each in the test's own directory on free ports.
 *
 * <pre>{@code
 * @TempDir Path dir;
 * try (ClickHouseServer ch = TestServers.clickHouse(dir)) { ... }
 * }</pre>
 */
public final class TestServers {
  /**
   * JVM options of every test broker: C1 only. Most of a broker's start-up is JIT compilation;
   * without C2 it starts in about two thirds of the time on a loaded 2-core machine, and the few
   * thousand records a test sends do not need C2's code.
   */
  public static final List<String> KAFKA_JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

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
    KafkaBroker broker = KafkaBroker.builder(dir.resolve("kafka")).heap("384m")
        .jvmOptions(KAFKA_JVM_OPTIONS).build();
    try {
      broker.start();
      return broker;
    } catch (Exception | Error e) {
      broker.close();
      throw e;
    }
  }
}
