package io.memfleet.pipeline.cluster;

import io.memfleet.localstack.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;

/**
 * The configuration a {@link LocalFlinkCluster} runs with, as the {@code config.yaml} of its
 * configuration directory: loopback addresses, free ports, modest memory, checkpoints every
 * second and savepoints on local disk, a restart strategy for lost TaskManagers, short heartbeats
 * and quick registration retries; and a log4j configuration that writes everything to the
 * process's log file.
 */
final class ClusterConfiguration {
  private ClusterConfiguration() {}

  /** Where the cluster under {@code dir} writes checkpoints. */
  static Path checkpointDir(Path dir) {
    return dir.resolve("checkpoints");
  }

  /** The settings of a cluster under {@code dir}, with ports free at the time of the call. */
  static Configuration defaults(Path dir, int taskManagers, int slotsPerTaskManager) {
    Configuration conf = new Configuration();
    conf.setString("jobmanager.rpc.address", "127.0.0.1");
    conf.setString("jobmanager.bind-host", "127.0.0.1");
    conf.setString("jobmanager.rpc.port", String.valueOf(FreePorts.find()));
    conf.setString("rest.address", "127.0.0.1");
    conf.setString("rest.bind-address", "127.0.0.1");
    conf.setString("rest.port", String.valueOf(FreePorts.find()));
    conf.setString("taskmanager.host", "127.0.0.1");
    conf.setString("taskmanager.bind-host", "127.0.0.1");
    conf.setString("taskmanager.numberOfTaskSlots", String.valueOf(slotsPerTaskManager));
    conf.setString("parallelism.default", String.valueOf(slotsPerTaskManager * taskManagers));
    // modest heaps: the processes share a 2-core CI machine with Kafka and ClickHouse
    conf.setString("jobmanager.memory.heap.size", "256m");
    conf.setString("taskmanager.memory.task.heap.size", "256m");
    conf.setString("taskmanager.memory.managed.size", "64m");
    conf.setString("taskmanager.memory.network.min", "64m");
    conf.setString("taskmanager.memory.network.max", "64m");
    // the ClickHouse sink commits per checkpoint: rows reach ClickHouse within about a second,
    // and a test's wait for later commits (PipelineDeployment.awaitLaterCommits) is that short
    conf.setString("execution.checkpointing.interval", "1 s");
    conf.setString("execution.checkpointing.storage", "filesystem");
    conf.setString("execution.checkpointing.dir", checkpointDir(dir).toUri().toString());
    // kept when the job is cancelled or fails, and never deleted by a JobManager killed with -9:
    // what a restart without high availability restores from
    // (LocalFlinkCluster.latestRetainedCheckpoint)
    conf.setString("execution.checkpointing.externalized-checkpoint-retention",
        "RETAIN_ON_CANCELLATION");
    conf.setString("execution.checkpointing.savepoint-dir",
        dir.resolve("savepoints").toUri().toString());
    conf.setString("restart-strategy.type", "fixed-delay");
    conf.setString("restart-strategy.fixed-delay.attempts", "20");
    conf.setString("restart-strategy.fixed-delay.delay", "1 s");
    // a TaskManager killed with -9 refuses the next heartbeat RPCs: it is declared lost after
    // two of them (heartbeat.rpc-failure-threshold), a second or two instead of the default 20 s
    conf.setString("heartbeat.interval", "1 s");
    conf.setString("heartbeat.timeout", "10 s");
    // a TaskManager started with its JobManager, or one whose JobManager was killed and started
    // again, may find no ResourceManager at the address yet: it tries again in half a second, not
    // the default 10 s
    conf.setString("cluster.registration.error-delay", "500 ms");
    conf.setString("metrics.fetcher.update-interval", "1 s");
    conf.setString("web.upload.dir", dir.resolve("web-upload").toString());
    conf.setString("web.tmpdir", dir.resolve("web").toString());
    conf.setString("io.tmp.dirs", dir.resolve("tmp").toString());
    return conf;
  }

  /** Writes {@code conf} as {@code confDir/config.yaml}, and the log4j configuration. */
  static void write(Configuration conf, Path confDir) throws IOException {
    Files.createDirectories(confDir);
    StringBuilder yaml = new StringBuilder("# written by LocalFlinkCluster\n");
    // flat keys: Flink 2's config.yaml accepts "a.b.c: value" as well as nested maps
    new TreeMap<>(conf.toMap()).forEach((key, value) -> yaml.append(key).append(": '")
        .append(value.replace("'", "''")).append("'\n"));
    Files.writeString(confDir.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
    Files.writeString(confDir.resolve(FlinkCommand.LOG4J_FILE), String.join("\n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.console.ref = console",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5p %t %c{1} - %m%n",
        "logger.kafka.name = org.apache.kafka",
        "logger.kafka.level = WARN", ""), StandardCharsets.UTF_8);
  }
}
