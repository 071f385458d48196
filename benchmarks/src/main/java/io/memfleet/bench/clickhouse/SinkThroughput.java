package io.memfleet.bench.clickhouse;

import io.memfleet.pipeline.clickhouse.ClickHouseSinkOptions;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Insert throughput of the pipeline's ClickHouse sink against a bare insert of the same rows.
 *
 * <p>Sink: a Flink job on a local MiniCluster with checkpointing on — generated elements, the
 * pipeline's row encoder, {@code ClickHouseSink} with its exactly-once commit protocol (rows held
 * in checkpoint state, then one INSERT per subtask and checkpoint, bracketed by
 * {@code sink_commits} entries). Baseline, in the same run: the same rows (same generator, same
 * encoder) inserted with client-v2 in the batch sizes the sink committed, from as many threads as
 * the sink has subtasks, into a second database with the same schema. The ratio is the sink's own
 * cost: Flink, checkpoint state and the commit log.
 *
 * <pre>{@code
 * SinkThroughput.Result r = new SinkThroughput(ch, options, checkpoints, System.out::println)
 *     .run(SinkTable.EVENTS_RAW);
 * }</pre>
 */
final class SinkThroughput {
  /** What one table's run measured. */
  record Result(String table, long rows, int parallelism, double sinkSeconds, long batches,
      long sinkRowsInTable, double baselineSeconds, long baselineRowsInTable, long jsonBytes) {
    double sinkRowsPerSecond() {
      return rows / sinkSeconds;
    }

    double baselineRowsPerSecond() {
      return rows / baselineSeconds;
    }

    double rowsPerBatch() {
      return batches == 0 ? 0 : (double) rows / batches;
    }
  }

  private final ClickHouseConnection ch;
  private final String url;
  private final ClickHouseBenchmarkOptions options;
  private final Path checkpoints;
  private final Consumer<String> progress;
  private final String sinkDb;
  private final String baselineDb;

  SinkThroughput(ClickHouseConnection ch, String url, ClickHouseBenchmarkOptions options,
      Path checkpoints, Consumer<String> progress) {
    this.ch = ch;
    this.url = url;
    this.options = options;
    this.checkpoints = checkpoints;
    this.progress = progress;
    this.sinkDb = options.database("sink");
    this.baselineDb = options.database("baseline");
  }

  Result run(SinkTable table) throws Exception {
    long startMs = System.currentTimeMillis() / 60_000 * 60_000 - Duration.ofDays(1).toMillis();
    double sinkSeconds = runSink(table, startMs);
    List<Long> batches = committedBatches(table);
    long committed = batches.stream().mapToLong(Long::longValue).sum();
    if (committed != options.sinkRows) {
      throw new IllegalStateException("the sink committed " + committed + " rows into "
          + table.table() + ", " + options.sinkRows + " were sent");
    }
    long[] jsonBytes = new long[1];
    double baselineSeconds = runBaseline(table, startMs, batches, jsonBytes);
    Result r = new Result(table.table(), options.sinkRows, options.parallelism, sinkSeconds,
        batches.size(), count(sinkDb, table), baselineSeconds, count(baselineDb, table),
        jsonBytes[0]);
    progress.accept(String.format("  %-20s sink %,10.0f rows/s (%d batches), baseline %,10.0f"
        + " rows/s", table.table(), r.sinkRowsPerSecond(), r.batches(),
        r.baselineRowsPerSecond()));
    return r;
  }

  /** Runs the Flink job; returns its net runtime in seconds (submission to final commit). */
  private double runSink(SinkTable table, long startMs) throws Exception {
    Configuration conf = new Configuration();
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        checkpoints.resolve(table.table()).toUri().toString());
    // a failure must fail the benchmark, not be absorbed by restarts that inflate the time
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironment(options.parallelism, conf);
    env.enableCheckpointing(options.checkpointInterval.toMillis());
    DataStream<Long> ids = env.fromSource(new NumberSequenceSource(0, options.sinkRows - 1),
        WatermarkStrategy.noWatermarks(), "element-numbers");
    ClickHouseSinkOptions d = ClickHouseSinkOptions.defaults();
    ClickHouseSinkOptions sinkOptions = new ClickHouseSinkOptions(url, options.user,
        options.passwordEnv, sinkDb, d.retryInitial(), d.retryMax(), Duration.ofMinutes(2));
    table.plan(startMs, options.sinkProcesses).attach(ids, sinkOptions, table.table());
    JobExecutionResult result = env.execute("memfleet-bench-sink-" + table.table());
    return result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0;
  }

  /** Row counts of the batches the sink committed, in commit order. */
  private List<Long> committedBatches(SinkTable table) throws ClickHouseException {
    List<Long> sizes = new ArrayList<>();
    for (List<String> row : ch.queryTsv("SELECT rows FROM " + sinkDb + ".sink_commits"
        + " WHERE table_name = '" + sinkDb + "." + table.table() + "' AND state = 'done'"
        + " ORDER BY committed_at, batch_id")) {
      sizes.add(Long.parseLong(row.get(0)));
    }
    return sizes;
  }

  /**
   * Inserts rows {@code [0, N)} in the sink's batch sizes: batch k holds the rows after those of
   * batches 0..k-1; threads take batches round-robin. Returns seconds; adds the JSON body size.
   */
  private double runBaseline(SinkTable table, long startMs, List<Long> batches, long[] jsonBytes)
      throws Exception {
    int threads = options.parallelism;
    long[] first = new long[batches.size()];
    for (int k = 1; k < first.length; k++) {
      first[k] = first[k - 1] + batches.get(k - 1);
    }
    String target = baselineDb + "." + table.table();
    AtomicLong bytes = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long started = System.nanoTime();
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        work.add(pool.submit(() -> {
          SinkTable.Plan<?> plan = table.plan(startMs, options.sinkProcesses);
          for (int k = thread; k < first.length; k += threads) {
            String suffix = ",\"batch_id\":\"baseline-" + table.table() + "-" + k + "\"}";
            List<String> rows = new ArrayList<>((int) (long) batches.get(k));
            long size = 0;
            for (long i = first[k]; i < first[k] + batches.get(k); i++) {
              String row = plan.row(i);
              String withId = row.substring(0, row.lastIndexOf('}')) + suffix;
              rows.add(withId);
              size += withId.length() + 1; // the rows are ASCII: chars = bytes
            }
            ch.insertJsonEachRow(target, rows);
            bytes.addAndGet(size);
          }
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    jsonBytes[0] = bytes.get();
    return (System.nanoTime() - started) / 1e9;
  }

  private long count(String database, SinkTable table) throws ClickHouseException {
    return Long.parseLong(ch.queryValue("SELECT count() FROM " + database + "." + table.table()));
  }
}
