package io.memfleet.pipeline.clickhouse;

import io.memfleet.sql.ClickHouseConnection;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Flink sink (Sink V2) that writes rows into one ClickHouse table exactly once: rows are collected
 * per checkpoint and committed after the checkpoint completes, each batch at most once (see
 * {@link ClickHouseCommitter}). Rows become visible in ClickHouse one checkpoint interval after
 * they were produced.
 *
 * <pre>{@code
 * stream.sinkTo(ClickHouseSink.<ProcessWindow>builder()
 *     .options(ClickHouseSinkOptions.defaults().withUrl("http://127.0.0.1:18123"))
 *     .table("process_memory_10s")
 *     .encoder(w -> JsonRow.create().put("pid", w.pid()).toString())
 *     .build());
 * }</pre>
 *
 * <p>The target table needs a {@code batch_id String} column, and the database the
 * {@code sink_commits} table — both made by the migrations in {@code sql/migrations}.
 */
public final class ClickHouseSink<T> implements Sink<T>, SupportsCommitter<ClickHouseBatch> {
  private static final long serialVersionUID = 1L;
  private static final Pattern TABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final ClickHouseSinkOptions options;
  private final String table;
  private final RowEncoder<T> encoder;

  private ClickHouseSink(Builder<T> b) {
    this.options = b.options;
    this.table = b.table;
    this.encoder = b.encoder;
  }

  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  String qualifiedTable() {
    return options.database() + "." + table;
  }

  @Override
  public CommittingSinkWriter<T, ClickHouseBatch> createWriter(WriterInitContext context) {
    String prefix = context.getJobInfo().getJobId() + "-" + table + "-"
        + context.getTaskInfo().getIndexOfThisSubtask() + "-"
        + context.getTaskInfo().getAttemptNumber();
    return new ClickHouseSinkWriter<>(encoder, qualifiedTable(), prefix);
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
