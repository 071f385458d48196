package io.memfleet.pipeline.clickhouse;

import io.memfleet.sql.ClickHouseConnection;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Flink sink (Sink V2) that writes rows into one ClickHouse table exactly once: rows are collected
 * per checkpoint and committed after the checkpoint completes, each batch exactly once (see
 * {@link ClickHouseCommitter}), with batch ids kept unique by the writer's checkpointed state
 * ({@link ClickHouseWriterState}). Rows become visible in ClickHouse one checkpoint interval after
 * they were produced. A table partitioned by time needs {@link Builder#partitionTime} so that one
 * INSERT never spans two partitions (each INSERT must be all-or-nothing).
 *
 * <pre>{@code
 * stream.sinkTo(ClickHouseSink.<ProcessWindow>builder()
 *     .options(ClickHouseSinkOptions.defaults().withUrl("http://127.0.0.1:18123"))
 *     .table("process_memory_10s")
 *     .partitionTime(w -> w.windowStartMs)       // PARTITION BY toYYYYMMDD(window_start)
 *     .encoder(w -> JsonRow.create().put("pid", w.pid()).toString())
 *     .build());
 * }</pre>
 *
 * <p>The target table needs a {@code batch_id String} column, and the database the
 * {@code sink_commits} table — both made by the migrations in {@code sql/migrations}.
 */
public final class ClickHouseSink<T> implements Sink<T>, SupportsCommitter<ClickHouseBatch>,
    SupportsWriterState<T, ClickHouseWriterState> {
  private static final long serialVersionUID = 1L;
  private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final ClickHouseSinkOptions options;
  private final String table;
  private final RowEncoder<T> encoder;
  private final PartitionTime<T> partitionTime;

  private ClickHouseSink(Builder<T> b) {
    this.options = b.options;
    this.table = b.table;
    this.encoder = b.encoder;
    this.partitionTime = b.partitionTime;
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  String qualifiedTable() {
    return options.database() + "." + table;
  }

  /** A writer without state: a new lineage. */
  @Override
  public ClickHouseSinkWriter<T> createWriter(WriterInitContext context) {
    return restoreWriter(context, List.of());
  }

  /** A writer that continues the restored lineage (a new one when the state holds none). */
  @Override
  public ClickHouseSinkWriter<T> restoreWriter(WriterInitContext context,
      Collection<ClickHouseWriterState> states) {
    String lineage = states.stream().map(ClickHouseWriterState::lineage)
        .min(Comparator.naturalOrder()).orElseGet(ClickHouseSink::newLineage);
    long checkpoint = context.getRestoredCheckpointId().orElse(states.stream()
        .mapToLong(ClickHouseWriterState::checkpointId).max().orElse(0));
    return new ClickHouseSinkWriter<>(encoder, partitionTime, qualifiedTable(), lineage,
        context.getTaskInfo().getIndexOfThisSubtask(), checkpoint);
  }

  static String newLineage() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  @Override
  public SimpleVersionedSerializer<ClickHouseWriterState> getWriterStateSerializer() {
    return new ClickHouseWriterStateSerializer();
  }

  @Override
  public Committer<ClickHouseBatch> createCommitter(CommitterInitContext context) {
    ClickHouseSinkOptions o = options;
    return new ClickHouseCommitter(() -> ClickHouseConnection.builder(o.url()).user(o.user())
        .passwordFrom(o.passwordFile(), o.passwordEnv()).caFile(o.caFile()).build(), o);
  }

  @Override
  public SimpleVersionedSerializer<ClickHouseBatch> getCommittableSerializer() {
    return new ClickHouseBatchSerializer();
  }

  /** Validating builder. */
  public static final class Builder<T> {
    private ClickHouseSinkOptions options = ClickHouseSinkOptions.defaults();
    private String table;
    private RowEncoder<T> encoder;
    private PartitionTime<T> partitionTime;

    private Builder() {}

    public Builder<T> options(ClickHouseSinkOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /** The table name within the options' database. */
    public Builder<T> table(String table) {
      this.table = table;
      return this;
    }

    public Builder<T> encoder(RowEncoder<T> encoder) {
      this.encoder = encoder;
      return this;
    }

    /**
     * The time of the column the table is partitioned by; leave unset only for a table without
     * {@code PARTITION BY}.
     */
    public Builder<T> partitionTime(PartitionTime<T> partitionTime) {
      this.partitionTime = partitionTime;
      return this;
    }

    public ClickHouseSink<T> build() {
      if (table == null || !TABLE.matcher(table).matches()) {
        throw new IllegalArgumentException("table must be a plain identifier, got " + table);
      }
      if (!TABLE.matcher(options.database()).matches()) {
        throw new IllegalArgumentException("database must be a plain identifier: "
            + options.database());
      }
      Objects.requireNonNull(encoder, "encoder");
      return new ClickHouseSink<>(this);
    }
  }
}
