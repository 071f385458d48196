package io.memfleet.bench.clickhouse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Every setting of the ClickHouse benchmark, in one place: a flag, a {@code MEMFLEET_BENCH_*}
 * environment variable and a default that runs in a few minutes on a laptop. Used as the picocli
 * mixin of {@link ClickHouseBenchmark}; {@link #parse} builds one from arguments (tests).
 *
 * <pre>{@code
 * ClickHouseBenchmarkOptions o =
 *     ClickHouseBenchmarkOptions.parse("--days", "2", "--sink-rows", "5000");
 * }</pre>
 */
public final class ClickHouseBenchmarkOptions {
  /** The tables the sink benchmark can write, by name. */
  public static final List<String> SINK_TABLES = SinkTable.names();

  @Option(names = "--clickhouse-url", defaultValue = "${env:MEMFLEET_BENCH_CLICKHOUSE_URL}",
      description = "Benchmark this ClickHouse (HTTP URL) instead of starting one"
          + " (MEMFLEET_BENCH_CLICKHOUSE_URL; default: start clickhouse-server in --work-dir).")
  public String clickHouseUrl;

  @Option(names = "--user", defaultValue = "${env:MEMFLEET_CLICKHOUSE_USER:-default}",
      description = "ClickHouse user with --clickhouse-url (default: ${DEFAULT-VALUE}).")
  public String user;

  @Option(names = "--password-env", defaultValue = "MEMFLEET_CLICKHOUSE_PASSWORD",
      description = "Environment variable holding the password (default: ${DEFAULT-VALUE}).")
  public String passwordEnv;

  @Option(names = "--work-dir", defaultValue = "${env:MEMFLEET_BENCH_WORK_DIR}",
      description = "Directory for the started server's data and Flink checkpoints"
          + " (MEMFLEET_BENCH_WORK_DIR; default: a temporary directory, deleted afterwards).")
  public Path workDir;

  @Option(names = "--database-prefix",
      defaultValue = "${env:MEMFLEET_BENCH_DATABASE:-memfleet_bench}",
      description = "Prefix of the databases created: _sink, _baseline, _history"
          + " (MEMFLEET_BENCH_DATABASE; default: ${DEFAULT-VALUE}).")
  public String databasePrefix;

  @Option(names = "--keep", defaultValue = "false",
      description = "Keep the databases (and the started server's work dir) afterwards.")
  public boolean keep;

  @Option(names = "--sink-tables", split = ",",
      defaultValue = "${env:MEMFLEET_BENCH_SINK_TABLES:-events_raw,process_memory_10s,"
          + "process_memory_1m,gc_pauses}",
      description = "Tables written through the sink, one Flink job each (default:"
          + " ${DEFAULT-VALUE}).")
  public List<String> sinkTables = new ArrayList<>();

  @Option(names = "--sink-rows", defaultValue = "${env:MEMFLEET_BENCH_SINK_ROWS:-1000000}",
      description = "Rows per table through the sink and through the baseline (default:"
          + " ${DEFAULT-VALUE}).")
  public long sinkRows;

  @Option(names = "--sink-processes", defaultValue = "200",
      description = "Distinct processes in the sink's generated rows (default: ${DEFAULT-VALUE}).")
  public int sinkProcesses;

  @Option(names = "--parallelism", defaultValue = "${env:MEMFLEET_BENCH_PARALLELISM:-2}",
      description = "Sink subtasks, and baseline insert threads (default: ${DEFAULT-VALUE}).")
  public int parallelism;

  @Option(names = "--checkpoint-interval", defaultValue = "10s",
      converter = DurationConverter.class,
      description = "Flink checkpoint interval = how often the sink commits (default:"
          + " ${DEFAULT-VALUE}, the pipeline's).")
  public Duration checkpointInterval;

  @Option(names = "--days", defaultValue = "${env:MEMFLEET_BENCH_DAYS:-30}",
      description = "Days of generated history (default: ${DEFAULT-VALUE}).")
  public int days;

  @Option(names = "--processes", defaultValue = "${env:MEMFLEET_BENCH_PROCESSES:-300}",
      description = "Processes in the generated history (default: ${DEFAULT-VALUE}).")
  public int processes;

  @Option(names = "--services", defaultValue = "0",
      description = "Services (default: processes / 10, at least 1).")
  public int services;

  @Option(names = "--clusters", defaultValue = "4",
      description = "Clusters (default: ${DEFAULT-VALUE}).")
  public int clusters;

  @Option(names = "--detail-days", defaultValue = "1",
      description = "Most recent days also kept at 10 s (process_memory_10s; default:"
          + " ${DEFAULT-VALUE}).")
  public int detailDays;

  @Option(names = "--gc-pauses-per-minute", defaultValue = "2",
      description = "GC pauses per JVM/Go process-minute (default: ${DEFAULT-VALUE}).")
  public int gcPausesPerMinute;

  @Option(names = "--gc-days", defaultValue = "30",
      description = "Most recent days with GC pauses (default: ${DEFAULT-VALUE}, their TTL).")
  public int gcDays;

  @Option(names = "--allocation-stacks-per-minute", defaultValue = "2",
      description = "allocations_1m rows per process-minute (default: ${DEFAULT-VALUE}).")
  public int allocationStacksPerMinute;

  @Option(names = "--allocation-days", defaultValue = "7",
      description = "Most recent days with allocation rows (default: ${DEFAULT-VALUE}).")
  public int allocationDays;

  @Option(names = "--alert-versions", defaultValue = "4",
      description = "Versions per alert (ReplacingMergeTree rows; default: ${DEFAULT-VALUE}).")
  public int alertVersions;

  @Option(names = "--repeats", defaultValue = "${env:MEMFLEET_BENCH_REPEATS:-5}",
      description = "Timed runs of each query after one warm-up run (default: ${DEFAULT-VALUE}).")
  public int repeats;

  @Option(names = "--merge-wait", defaultValue = "60s", converter = DurationConverter.class,
      description = "Wait up to this long for background merges before timing queries"
          + " (default: ${DEFAULT-VALUE}).")
  public Duration mergeWait;

  @Option(names = "--skip-sink", defaultValue = "false", description = "Skip the sink benchmark.")
  public boolean skipSink;

  @Option(names = "--skip-history", defaultValue = "false",
      description = "Skip the history and query benchmark.")
  public boolean skipHistory;

  /** Options from command-line arguments (defaults and environment for the rest). */
  public static ClickHouseBenchmarkOptions parse(String... args) {
    ClickHouseBenchmarkOptions options = new ClickHouseBenchmarkOptions();
    new CommandLine(options).parseArgs(args);
    options.validate();
    return options;
  }

  /** Services in the history: {@code --services}, or one per ten processes. */
  int services() {
    return services > 0 ? services : Math.max(1, processes / 10);
  }

  String database(String suffix) {
    return databasePrefix + "_" + suffix;
  }

  /** Checks ranges and names; throws IllegalArgumentException naming the option. */
  public void validate() {
    positive("--sink-rows", sinkRows);
    positive("--sink-processes", sinkProcesses);
    positive("--parallelism", parallelism);
    positive("--days", days);
    positive("--processes", processes);
    positive("--clusters", clusters);
    positive("--gc-pauses-per-minute", gcPausesPerMinute);
    positive("--allocation-stacks-per-minute", allocationStacksPerMinute);
    positive("--alert-versions", alertVersions);
    positive("--repeats", repeats);
    positive("--detail-days", detailDays);
    positive("--gc-days", gcDays);
    positive("--allocation-days", allocationDays);
    if (services < 0) {
      throw new IllegalArgumentException("--services must be >= 0 (0 = processes / 10)");
    }
    if (gcPausesPerMinute > 60) {
      throw new IllegalArgumentException("--gc-pauses-per-minute must be <= 60");
    }
    if (checkpointInterval.isNegative() || checkpointInterval.toMillis() < 10) {
      throw new IllegalArgumentException("--checkpoint-interval must be >= 10ms");
    }
    if (!databasePrefix.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("--database-prefix must be a plain identifier: "
          + databasePrefix);
    }
    for (String table : sinkTables) {
      if (!SINK_TABLES.contains(table)) {
        throw new IllegalArgumentException("--sink-tables: unknown table " + table + " (one of "
            + SINK_TABLES + ")");
      }
    }
  }

  private static void positive(String option, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(option + " must be positive, got " + value);
    }
  }

  /** {@code 500ms}, {@code 10s}, {@code 2m}, or ISO-8601 ({@code PT10S}). */
  public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
      Matcher m = SIMPLE.matcher(value.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        return Duration.parse(value.trim());
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
  }
}
