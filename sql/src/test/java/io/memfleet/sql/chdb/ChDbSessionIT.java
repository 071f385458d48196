package io.memfleet.sql.chdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.data.ClickHouseFormat;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.sql.ClickHouseException;
import io.memfleet.sql.ServerVersion;
import io.memfleet.sql.query.PlannerQuery;
import io.memfleet.sql.query.QueryRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chDB bridge itself on the real engine (ClickHouse 26.x): version, the statements memfleet
 * sends (CREATE DATABASE, MergeTree with TTL/LowCardinality/DateTime64, INSERT … VALUES, explicit
 * FORMAT), errors, persistence across sessions, odd text, and what happens when the engine dies.
 */
class ChDbSessionIT {
  @TempDir Path dir;
  ChDbOptions options;

  @BeforeEach
  void requireChDb() {
    options = ChDbOptions.fromEnvironment();
    Capabilities.require(options.missing().isEmpty(), options.missing().orElse("chDB"));
  }

  @Test
  void reportsClickHouse26AndRunsModernDdl() throws Exception {
    try (ChDbSession ch = ChDbSession.open(dir.resolve("data"), options)) {
      assertThat(ch.serverVersion().atLeast(ServerVersion.parse("26.1"))).as(ch.toString())
          .isTrue();
      assertThat(ch.queryValue("SELECT version()")).isEqualTo(ch.serverVersion().toString());
      assertThat(ch.queryValue("SELECT timezone()")).isIn("UTC", "Etc/UTC");
      ch.execute("CREATE DATABASE IF NOT EXISTS it_bridge");
      ch.execute("CREATE TABLE it_bridge.t (d Date, at DateTime64(9), k LowCardinality(String),"
          + " v Int64 CODEC(Delta, ZSTD)) ENGINE = MergeTree() ORDER BY (k, at)"
          + " TTL d + INTERVAL 7 DAY");
      // today's date: a row older than the TTL would be deleted by the merge right after insert
      ch.execute("INSERT INTO it_bridge.t VALUES (today(), '2026-01-05 00:00:00.123456789',"
          + " 'a', 1), (today(), '2026-01-05 00:00:01', 'b', 2)");
      assertThat(ch.queryTsv("SELECT k, toString(at), v FROM it_bridge.t ORDER BY k").toString())
          .isEqualTo("[[a, 2026-01-05 00:00:00.123456789, 1],"
              + " [b, 2026-01-05 00:00:01.000000000, 2]]");
      assertThat(ch.queryText("SELECT k FROM it_bridge.t ORDER BY k FORMAT TabSeparatedWithNames",
          ClickHouseFormat.TabSeparated)).isEqualTo("k\na\nb\n");
      assertThat(ch.queryValue("SELECT create_table_query FROM system.tables"
          + " WHERE database = 'it_bridge' AND name = 't'"))
          .contains("LowCardinality(String)", "CODEC(Delta(8), ZSTD(1))",
              "TTL d + toIntervalDay(7)");
    }
  }

  @Test
  void aReopenedDataDirectoryKeepsItsTables() throws Exception {
    Path data = dir.resolve("data");
    try (ChDbSession ch = ChDbSession.open(data, options)) {
      ch.execute("CREATE DATABASE IF NOT EXISTS it_keep");
      ch.execute("CREATE TABLE it_keep.t (x UInt32) ENGINE = MergeTree() ORDER BY x");
      ch.execute("INSERT INTO it_keep.t SELECT number FROM numbers(1000)");
    }
    try (ChDbSession ch = ChDbSession.open(data, options)) {
      assertThat(ch.queryValue("SELECT sum(x) FROM it_keep.t")).isEqualTo("499500");
    }
  }

  @Test
  void engineErrorsBecomeClickHouseExceptionsAndTheSessionGoesOn() throws Exception {
    try (ChDbSession ch = ChDbSession.open(dir.resolve("data"), options)) {
      assertThatThrownBy(() -> ch.execute("CREATE TABLE default.bad (x UInt8) ENGINE = MergeTree()"
          + " ORDER BY x TTL x + 1"))
          .isInstanceOf(ClickHouseException.class)
          .hasMessageContaining("BAD_TTL_EXPRESSION")
          .hasMessageContaining("statement: CREATE TABLE default.bad");
      assertThatThrownBy(() -> ch.queryValue("SELECT no_such_function()"))
          .hasMessageContaining("UNKNOWN_FUNCTION");
      assertThat(ch.queryValue("SELECT 40 + 2")).isEqualTo("42");
      assertThat(ch.strayLines()).isZero();
    }
  }

  @Test
  void oddTextSurvivesTheBridgeAndParameterBinding() throws Exception {
    String odd = "o'brien \\ \"x\" \n tab\t ünï 😀 \u0001";
    try (ChDbSession ch = ChDbSession.open(dir.resolve("data"), options)) {
      PlannerQuery echo = PlannerQuery.parse("echo.sql",
          "-- name: echo\n-- answers: Echo?\n-- param: s String — text\nSELECT {s:String} AS s");
      assertThat(new QueryRunner(ch, "default").run(echo, Map.of("s", odd)).values("s"))
          .containsExactly(odd);
      assertThat(ch.queryValue("SELECT length('ünï 😀')")).isEqualTo("10"); // bytes, UTF-8
    }
  }

  @Test
  void aStatementOverTheTimeoutEndsTheSessionAndAClosedSessionRefuses() throws Exception {
    ChDbOptions quick = ChDbOptions.builder().home(options.home()).version(options.version())
        .node(options.node()).timeout(Duration.ofSeconds(2)).build();
    ChDbSession ch = ChDbSession.open(dir.resolve("data"), quick);
    try {
      assertThatThrownBy(() -> ch.queryValue("SELECT sleepEachRow(1) FROM numbers(4)"
          + " SETTINGS function_sleep_max_microseconds_per_block = 10000000"))
          .hasMessageContaining("did not answer within 2 s");
      assertThatThrownBy(() -> ch.queryValue("SELECT 1")).hasMessageContaining("is closed");
    } finally {
      ch.close();
    }
  }
}
