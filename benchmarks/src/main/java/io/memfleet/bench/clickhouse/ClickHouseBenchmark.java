package io.memfleet.bench.clickhouse;

import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseException;
import io.memfleet.sql.migrate.Migration;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import io.memfleet.sql.query.QueryCatalog;
import io.memfleet.sql.query.QueryRunner;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The ClickHouse benchmark: insert rows/s through the pipeline's sink against a bare insert, and
 * the planner queries' latency over a large generated history, printed as tables.
 *
 * <ol>
 *   <li>ClickHouse: starts {@code clickhouse-server} in the work directory on free ports, unless
 *       {@code --clickhouse-url} names one; creates {@code <prefix>_sink}, {@code _baseline} and
 *       {@code _history} (dropped first if present) and applies the migrations to each;
 *   <li>sink: per table, a Flink job through {@code ClickHouseSink}, then the baseline
 *       ({@link SinkThroughput});
 *   <li>history: {@link HistoryGenerator}, then waits for background merges;
 *   <li>queries: every planner query, defaults and whole history ({@link QueryLatency}).
 * </ol>
 *
 * <pre>
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/cp.txt)" \
 *     io.memfleet.bench.clickhouse.ClickHouseBenchmark \
 *     --days 60 --processes 500 --sink-rows 2000000
 * </pre>
 */
@Command(name = "clickhouse-bench", mixinStandardHelpOptions = true,
    description = "Benchmark the ClickHouse side: sink insert rows/s against a bare insert, and"
        + " the planner queries' latency over a generated history.")
public final class ClickHouseBenchmark implements Callable<Integer> {
  @Mixin
  ClickHouseBenchmarkOptions options = new ClickHouseBenchmarkOptions();

  private List<String> arguments = List.of();

  public ClickHouseBenchmark() {}

  public static void main(String[] args) {
    ClickHouseBenchmark command = new ClickHouseBenchmark();
    command.arguments = List.of(args);
    System.exit(new CommandLine(command).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    try {
      options.validate();
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      return 2;
    }
    BenchmarkReport report = run(options, arguments, System.out::println);
    System.out.print(report.render());
    return 0;
  }

  /** Runs the benchmark; every server, database and directory it made is gone afterwards. */
  static BenchmarkReport run(ClickHouseBenchmarkOptions o, List<String> command,
      Consumer<String> progress) throws Exception {
    String machine = machine();
    Path work = o.workDir != null ? o.workDir : Files.createTempDirectory("memfleet-bench");
    Files.createDirectories(work);
    ClickHouseServer server = null;
    ClickHouseConnection ch = null;
    List<String> databases = List.of(o.database("sink"), o.database("baseline"),
        o.database("history"));
    try {
      String url = o.clickHouseUrl;
      if (url == null || url.isBlank()) {
        progress.accept("[1/4] starting ClickHouse in " + work.resolve("clickhouse"));
        server = ClickHouseServer.builder(work.resolve("clickhouse")).build();
        server.start();
        url = server.httpUrl();
      } else {
        progress.accept("[1/4] ClickHouse at " + url);
      }
      ch = ClickHouseConnection.builder(url).user(o.user)
          .password(System.getenv().getOrDefault(o.passwordEnv, "")).timeoutSeconds(1800).build();
      String clickHouse = ch.serverVersion() + (server != null ? " (started here: " + url + ")"
          : " at " + url);
      List<Migration> migrations = MigrationSource.bundled();
      for (String db : databases) {
        ch.execute("DROP DATABASE IF EXISTS " + db);
        MigrationRunner.builder(ch).database(db).build().migrate(migrations);
      }
      progress.accept("      " + clickHouse + "; migrated " + databases);

      List<SinkThroughput.Result> sink = new ArrayList<>();
      List<BenchmarkReport.TableSize> sinkSizes = List.of();
      if (!o.skipSink) {
        progress.accept("[2/4] sink throughput: " + o.sinkRows + " rows per table, parallelism "
            + o.parallelism + ", checkpoint every " + o.checkpointInterval.toMillis() + " ms");
        SinkThroughput bench = new SinkThroughput(ch, url, o, work.resolve("checkpoints"),
            progress);
        for (String table : o.sinkTables) {
          sink.add(bench.run(SinkTable.named(table)));
        }
        sinkSizes = BenchmarkReport.TableSize.of(ch, o.database("sink"));
      }

      Optional<HistoryGenerator.Load> history = Optional.empty();
      List<BenchmarkReport.TableSize> historySizes = List.of();
      List<QueryLatency.Timing> queries = List.of();
      if (!o.skipHistory) {
        String db = o.database("history");
        progress.accept("[3/4] history: " + o.days + " days x " + o.processes + " processes ("
            + o.services() + " services, " + o.clusters + " clusters) into " + db);
        HistoryGenerator.Load load = new HistoryGenerator(ch, db, o, progress)
            .generate(System.currentTimeMillis() / 1000);
        history = Optional.of(load);
        awaitMerges(ch, db, o, progress);
        historySizes = BenchmarkReport.TableSize.of(ch, db);
        progress.accept("[4/4] planner queries, " + o.repeats + " timed runs each");
        queries = new QueryLatency(new QueryRunner(ch, db), o.repeats, progress)
            .run(QueryCatalog.bundled(), load.startSec());
      }
      return new BenchmarkReport(command, machine, clickHouse, sink, sinkSizes, history,
          historySizes, queries);
    } finally {
      if (ch != null) {
        if (!o.keep && server == null) {
          for (String db : databases) {
            dropQuietly(ch, db);
          }
        }
        ch.close();
      }
      if (server != null) {
        server.close();
      }
      if (!o.keep) {
        deleteQuietly(o.workDir == null ? work : work.resolve("checkpoints"));
        if (o.workDir != null && server != null) {
          deleteQuietly(work.resolve("clickhouse"));
        }
      }
    }
  }

  /** Background merges change query times; let them settle (up to --merge-wait). */
  private static void awaitMerges(ClickHouseConnection ch, String db,
      ClickHouseBenchmarkOptions o, Consumer<String> progress)
      throws ClickHouseException, InterruptedException {
    long deadline = System.nanoTime() + o.mergeWait.toNanos();
    long started = System.nanoTime();
    String merging = "0";
    while (System.nanoTime() < deadline) {
      merging = ch.queryValue("SELECT count() FROM system.merges WHERE database = '" + db + "'");
      if ("0".equals(merging)) {
        break;
      }
      Thread.sleep(1000);
    }
    progress.accept(String.format(Locale.ROOT, "      merges: %s still running after %.0f s",
        merging, (System.nanoTime() - started) / 1e9));
  }

  private static void dropQuietly(ClickHouseConnection ch, String db) {
    try {
      ch.execute("DROP DATABASE IF EXISTS " + db);
    } catch (ClickHouseException e) {
      System.err.println("could not drop " + db + ": " + e.getMessage());
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  /** Cores, memory, CPU model, JVM and load: the context every figure needs. */
  static String machine() {
    String cpu = "?";
    String memory = "?";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
      memory = Files.readAllLines(Path.of("/proc/meminfo")).stream()
          .filter(l -> l.startsWith("MemTotal")).findFirst()
          .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB").orElse("?");
    } catch (IOException | RuntimeException e) {
      // not Linux: leave the unknowns as "?"
    }
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return String.format(Locale.ROOT, "%d cores (%s), %s RAM, Java %s, max heap %d MiB,"
            + " load average %.2f at start", Runtime.getRuntime().availableProcessors(), cpu,
        memory, System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20, load);
  }
}
