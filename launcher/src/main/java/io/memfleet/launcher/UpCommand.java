package io.memfleet.launcher;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.schema.Topics;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.MigrationReport;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code memfleet up}: the embedded local stack, started step by step; safe to run again. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = {"Start the local stack: a ClickHouse server and a Kafka broker (KRaft) as"
        + " background processes with their data under the work directory, then create the topics"
        + " and apply the ClickHouse migrations.",
        "Running it again keeps what already runs and only does what is missing."})
final class UpCommand implements Callable<Integer> {
  @Mixin StackOptions stack;

  @Option(names = "--partitions", defaultValue = "${env:MEMFLEET_TOPIC_PARTITIONS:-3}",
      description = "Partitions of each topic it creates (MEMFLEET_TOPIC_PARTITIONS;"
          + " default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--no-install", negatable = true, defaultValue = "true",
      fallbackValue = "true",
      description = "Install clickhouse-server with apt-get when it is missing (needs root;"
          + " default: on). --no-install only reports what is missing.")
  boolean install;

  @Option(names = "--demo", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also run the leaking demo apps (default: on). --no-demo watches this host's"
          + " own processes: the pipeline and the collectors, every process, eBPF host-wide, Go"
          + " programs found by themselves, running JVMs given memfleet's recording without a"
          + " restart.")
  boolean demo;

  @Option(names = "--stack-only",
      description = "Start only Kafka and ClickHouse (topics and tables included): what memfleet"
          + " eval and the tests build their own pipeline and collectors on.")
  boolean stackOnly;

  @Option(names = "--web-ui-port", defaultValue = "${env:MEMFLEET_WEB_UI_PORT:-18081}",
      description = "Flink web UI port on 127.0.0.1 (MEMFLEET_WEB_UI_PORT; default: ${DEFAULT-VALUE}).")
  int webUiPort;

  @Option(names = "--demo-scenarios", split = ",", paramLabel = "ID",
      description = "Corpus scenarios to run as demos (default: the CI set of scenarios/README.md"
          + " and go-goroutine-leak).")
  List<String> demoScenarios;

  @Option(names = "--jvm-collection", paramLabel = "HOW", converter = JvmCollection.Converter.class,
      defaultValue = "${env:MEMFLEET_JVM_COLLECTION:-outside}",
      description = "How the JVMs it starts are collected: outside (memfleet's JFR recording,"
          + " read from outside the JVM by the node collector) or agent (the in-process JFR"
          + " agent) (MEMFLEET_JVM_COLLECTION; default: outside).")
  JvmCollection jvmCollection;

  @Option(names = "--watch-for", converter = DurationConverter.class,
      description = "After start-up, show the live view (memfleet watch) this long; default: until"
          + " Ctrl-C when run in a terminal, not at all otherwise. 0 = skip.")
  java.time.Duration watchFor;

  @Override
  public Integer call() throws Exception {
    Progress progress = new Progress(System.out, stackOnly ? 4 : 6);
    System.out.println("memfleet up — work directory " + stack.home.toAbsolutePath());

    progress.begin("ClickHouse server");
    if (ClickHouseServer.findBinary().isEmpty()) {
      if (!install || !DebianPackages.isRoot()) {
        throw new IllegalStateException("no ClickHouse server installed; run as root to let memfleet"
            + " install it, or: apt-get install clickhouse-server");
      }
      progress.detail("clickhouse-server is missing; installing it with apt-get");
      DebianPackages.install(List.of("clickhouse-server", "clickhouse-client"));
    }
    ClickHouseServer clickHouse = stack.clickHouse();
    boolean startedClickHouse = clickHouse.start();
    progress.done((startedClickHouse ? "started " : "already running, ") + "ClickHouse "
        + clickHouse.version() + " at " + clickHouse.httpUrl());

    progress.begin("Kafka broker (KRaft)");
    KafkaBroker kafka = stack.kafka();
    boolean startedKafka = kafka.start();
    progress.done((startedKafka ? "started " : "already running, ") + "broker at "
        + kafka.bootstrapServers());

    progress.begin("Kafka topics");
    List<NewTopic> topics = Topics.all().stream()
        .map(name -> new NewTopic(name, partitions, (short) 1)).toList();
    Set<String> created = kafka.createTopics(topics);
    progress.done(created.isEmpty() ? "all " + topics.size() + " topics exist"
        : "created " + created.size() + " of " + topics.size() + " topics");

    progress.begin("ClickHouse migrations");
    MigrationReport report;
    try (ClickHouseConnection ch = ClickHouseConnection.builder(clickHouse.httpUrl()).build()) {
      report = MigrationRunner.builder(ch).database(stack.database).progress(progress::detail)
          .build().migrate(MigrationSource.bundled());
    }
    progress.done(report.applied().size() + " applied, " + report.alreadyApplied().size()
        + " already applied");

    if (!stackOnly) {
      Path root = Path.of(System.getenv().getOrDefault("MEMFLEET_ROOT",
          System.getenv().getOrDefault("MEMFLEET_REPO_ROOT", "."))).toAbsolutePath();
      DemoFleet fleet = new DemoFleet(root, stack, progress::detail);
      fleet.jvmCollection(jvmCollection);
      progress.begin("Flink pipeline (local MiniCluster)");
      fleet.startPipeline(webUiPort);
      progress.done("web UI http://127.0.0.1:" + webUiPort);
      if (demo) {
        List<io.memfleet.scenarios.Scenario> demos = demoScenarios == null
            ? DemoFleet.defaultDemos()
            : demoScenarios.stream().map(id -> io.memfleet.scenarios.Corpus.byId(id.strip()))
                .toList();
        progress.begin("Collectors and demo programs (JVM, Go and C; leaks and look-alikes)");
        List<io.memfleet.scenarios.Scenario> started = fleet.startDemosAndCollectors(demos);
        progress.done(started.size() + " of " + demos.size() + " demos running");
      } else {
        progress.begin("Collectors on this host (every process)");
        fleet.startHostCollectors();
        progress.done("node collector (running JVMs get memfleet's recording), eBPF host-wide");
      }
    }

    System.out.println();
    System.out.println("memfleet is up.");
    System.out.println("  Kafka        " + kafka.bootstrapServers() + "   topics: "
        + String.join(", ", Topics.all()));
    System.out.println("  ClickHouse   " + clickHouse.httpUrl() + "   database " + stack.database
        + "   (clickhouse-client --port " + stack.clickHouseTcpPort + ")");
    System.out.println("  Work dir     " + stack.home.toAbsolutePath() + "   (logs under */logs)");
    if (!stackOnly) {
      System.out.println("  Flink UI     http://127.0.0.1:" + webUiPort);
      System.out.println("  Next         ./memfleet watch | ./memfleet alerts | ./memfleet query"
          + " | ./memfleet status");
    }
    System.out.println("Stop it with: ./memfleet down");
    java.time.Duration watch = watchFor != null ? watchFor
        : (System.console() != null && demo ? java.time.Duration.ZERO.minusSeconds(1)
            : java.time.Duration.ZERO);
    if (!watch.isZero()) {
      System.out.println();
      WatchCommand view = new WatchCommand();
      view.bootstrap = stack.kafkaBootstrap();
      view.kafkaSecurity = io.memfleet.collector.KafkaSecurityOptions.plaintext();
      view.refresh = java.time.Duration.ofSeconds(2);
      view.duration = watch.isNegative() ? java.time.Duration.ZERO : watch;
      view.plain = System.console() == null;
      view.watch(System.out);
    }
    return 0;
  }
}
