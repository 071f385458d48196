package io.memfleet.launcher;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.KafkaBroker;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where the local stack lives and listens: the one place its settings are declared, with their
 * defaults and environment variables. Shared by {@code up}, {@code down} and {@code status}.
 */
public final class StackOptions {
  @Option(names = "--home", paramLabel = "DIR",
      defaultValue = "${env:MEMFLEET_HOME:-.memfleet}",
      description = "Work directory for data, logs and pid files (MEMFLEET_HOME; default: .memfleet"
          + " in the current directory, the repository root when run through ./memfleet).")
  Path home;

  @Option(names = "--kafka-port", defaultValue = "${env:MEMFLEET_KAFKA_PORT:-19092}",
      description = "Kafka client port on 127.0.0.1 (MEMFLEET_KAFKA_PORT; default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(names = "--kafka-controller-port",
      defaultValue = "${env:MEMFLEET_KAFKA_CONTROLLER_PORT:-19093}",
      description = "KRaft controller port (MEMFLEET_KAFKA_CONTROLLER_PORT; default: ${DEFAULT-VALUE}).")
  int kafkaControllerPort;

  @Option(names = "--kafka-heap", defaultValue = "${env:MEMFLEET_KAFKA_HEAP:-512m}",
      description = "Maximum heap of the broker JVM (MEMFLEET_KAFKA_HEAP; default: ${DEFAULT-VALUE}).")
  String kafkaHeap;

  @Option(names = "--clickhouse-http-port",
      defaultValue = "${env:MEMFLEET_CLICKHOUSE_HTTP_PORT:-18123}",
      description = "ClickHouse HTTP port (MEMFLEET_CLICKHOUSE_HTTP_PORT; default: ${DEFAULT-VALUE}).")
  int clickHouseHttpPort;

  @Option(names = "--clickhouse-tcp-port",
      defaultValue = "${env:MEMFLEET_CLICKHOUSE_TCP_PORT:-19000}",
      description = "ClickHouse native port, for clickhouse-client (MEMFLEET_CLICKHOUSE_TCP_PORT;"
          + " default: ${DEFAULT-VALUE}).")
  int clickHouseTcpPort;

  @Option(names = "--database", defaultValue = "${env:MEMFLEET_CLICKHOUSE_DATABASE:-memfleet}",
      description = "ClickHouse database (MEMFLEET_CLICKHOUSE_DATABASE; default: ${DEFAULT-VALUE}).")
  String database;

  KafkaBroker kafka() {
    return KafkaBroker.builder(home.resolve("kafka")).port(kafkaPort)
        .controllerPort(kafkaControllerPort).heap(kafkaHeap).detached(true).build();
  }

  ClickHouseServer clickHouse() {
    return ClickHouseServer.builder(home.resolve("clickhouse")).httpPort(clickHouseHttpPort)
        .tcpPort(clickHouseTcpPort).detached(true).build();
  }

  String clickHouseUrl() {
    return "http://127.0.0.1:" + clickHouseHttpPort;
  }

  String kafkaBootstrap() {
    return "127.0.0.1:" + kafkaPort;
  }
}
