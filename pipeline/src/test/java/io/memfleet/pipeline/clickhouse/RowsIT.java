package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Runtime;
import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.pipeline.aggregate.AllocationWindow;
import io.memfleet.pipeline.aggregate.BreakdownMeasure;
import io.memfleet.pipeline.aggregate.ProcessWindow;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.time.ClockCalibration;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every row encoder against the real tables of the migrations: the server must accept each row
 * and store the values it was given (a type mismatch would block the sink's commits).
 */
class RowsIT {
  @TempDir static Path dir;
  static ClickHouseServer server;
  static ClickHouseConnection ch;
  static final long T_MS = 1_795_786_686_537L;

  @BeforeAll
  static void start() throws Exception {
    server = TestServers.clickHouse(dir);
    ch = ClickHouseConnection.builder(server.httpUrl()).build();
    MigrationRunner.builder(ch).database("it_rows").build().migrate(MigrationSource.bundled());
  }

  @AfterAll
  static void stop() {
    if (ch != null) {
      ch.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static void insert(String table, String row) throws Exception {
    ch.insertJsonEachRow("it_rows." + table,
        ClickHouseBatch.of("b-" + table, "it_rows." + table, List.of(row)).rowsWithBatchId(0));
  }

  private static String value(String sql) throws Exception {
    return ch.queryValue(sql);
  }

  private static TimedEvent timed(SpecificRecord record) {
    TimedEvent e = new TimedEvent();
    e.kind = record.getSchema().getName();
    e.payload = EventCodec.fromClasspath().encode(record);
    e.utcNs = T_MS * 1_000_000L + 123;
    e.cluster = "prod";
    e.node = "n1";
    e.pid = 42;
    e.processStartTimeMs = 7;
    e.service = "checkout";
    e.runtime = Runtime.JVM;
    e.rssBytes = 1024L;
    return e;
  }

  @Test
  void processWindowRows() throws Exception {
    ProcessWindow w = new ProcessWindow();
    w.windowStartMs = T_MS;
    w.windowEndMs = T_MS + 10_000;
    w.cluster = "prod";
    w.node = "n1";
    w.service = "checkout";
    w.pid = 42;
    w.processStartTimeMs = 7;
    w.runtime = Runtime.GO;
    w.rssMax = 3L << 30;
    w.rssAvg = 1.5;
    w.gcPauseP99Ns = 999;
    w.goroutinesMax = 5000;
    for (BreakdownMeasure m : BreakdownMeasure.values()) {
      w.breakdown[m.ordinal()] = (1L << 32) + m.ordinal();   // past 32 bits: Int64 columns
    }
    w.liveSet = 77;
    w.nativeOther = 88;
    insert("process_memory_10s", Rows.processWindow(w));
    insert("process_memory_1m", Rows.processWindow(w));
    assertThat(value("SELECT concat(toString(window_start), ' ', runtime, ' ', toString(rss_max),"
        + " ' ', toString(goroutines_max)) FROM it_rows.process_memory_10s"))
        .isEqualTo("2026-11-27 13:38:06 GO 3221225472 5000");
    // every breakdown column is written, under its own name, in both tables
    for (String table : List.of("process_memory_10s", "process_memory_1m")) {
      for (BreakdownMeasure m : BreakdownMeasure.values()) {
        assertThat(value("SELECT " + m.column() + " FROM it_rows." + table)).as(m.column())
            .isEqualTo(String.valueOf((1L << 32) + m.ordinal()));
      }
      assertThat(value("SELECT concat(toString(live_set), ' ', toString(native_other)) FROM"
          + " it_rows." + table)).isEqualTo("77 88");
    }
    // the hourly rollup is kept by its materialized view
    assertThat(value("SELECT maxMerge(rss_max) FROM it_rows.process_memory_1h"))
        .isEqualTo("3221225472");
  }

  @Test
  void lateEventRows() throws Exception {
    TimedEvent e = timed(SampleEvents.residentMemory());
    e.source = io.memfleet.event.Source.PROCFS;
    insert("late_events", Rows.lateEvent(
        new io.memfleet.pipeline.aggregate.LateEvent("process_memory_10s", T_MS + 60_000, e)));
    assertThat(value("SELECT concat(toString(event_time), ' ', aggregate, ' ', toString(pid),"
        + " ' ', kind, ' ', source, ' ', toString(value), ' ', toString(utc_ns))"
        + " FROM it_rows.late_events"))
        .isEqualTo("2026-11-27 13:38:06 process_memory_10s 42 ResidentMemory PROCFS 1024 "
            + e.utcNs);
    assertThat(value("SELECT toString(detected_at) FROM it_rows.late_events"))
        .isEqualTo("2026-11-27 13:39:06");
  }

  @Test
  void eventRows() throws Exception {
    insert("gc_pauses", Rows.gcPause(timed(SampleEvents.gcPause())));
    insert("events_raw", Rows.rawEvent(timed(SampleEvents.residentMemory())));
    assertThat(value("SELECT duration_ns FROM it_rows.gc_pauses"))
        .isEqualTo(String.valueOf(SampleEvents.gcPause().getDurationNs()));
    assertThat(value("SELECT concat(toString(event_date), ' ', kind, ' ', toString(value))"
        + " FROM it_rows.events_raw")).isEqualTo("2026-11-27 ResidentMemory 1024");
    // the payload is JSON that ClickHouse's own functions read
    assertThat(value("SELECT visitParamExtractString(payload, 'comm') FROM it_rows.events_raw"))
        .isEqualTo(SampleEvents.residentMemory().getHeader().getProcess().getComm());
  }

  @Test
  void clockCalibrationRows() throws Exception {
    ClockCalibration c = new ClockCalibration();
    c.cluster = "prod";
    c.node = "n1";
    c.bootId = "boot-1";
    c.clockDomain = "JFR_TICKS@42/7";
    c.utcNs = T_MS * 1_000_000L + 123;
    c.offsetNs = 1_767_000_000_123_456_789L;
    c.driftPpb = -50_000.5;
    c.errorBoundNs = 1_500;
    c.samples = 8;
    insert("clock_calibration", Rows.clockCalibration(c));
    assertThat(value("SELECT concat(toString(event_time), ' ', toString(utc_ns), ' ', node, ' ',"
        + " boot_id, ' ', clock_domain, ' ', toString(offset_ns), ' ', toString(drift_ppb), ' ',"
        + " toString(error_bound_ns), ' ', toString(samples), ' ', batch_id)"
        + " FROM it_rows.clock_calibration"))
        .isEqualTo("2026-11-27 13:38:06 " + c.utcNs + " n1 boot-1 JFR_TICKS@42/7"
            + " 1767000000123456789 -50000.5 1500 8 b-clock_calibration/0");
  }

  @Test
  void allocationRows() throws Exception {
    AllocationWindow w = new AllocationWindow();
    w.windowStartMs = T_MS;
    w.cluster = "prod";
    w.service = "checkout";
    w.runtime = "NATIVE";
    w.kind = "OUTSTANDING";
    w.stackHash = -1234567890123L;
    w.frames = List.of("leak_blocks", "run_loop", "main");
    w.outstandingBytes = 1 << 20;
    insert("allocations_1m", Rows.allocationWindow(w));
    insert("allocation_stacks", Rows.allocationStack(w));
    assertThat(value("SELECT top_frame FROM it_rows.allocation_stacks WHERE stack_hash ="
        + " -1234567890123")).isEqualTo("leak_blocks");
    assertThat(value("SELECT outstanding_bytes FROM it_rows.allocations_1m")).isEqualTo("1048576");
  }

  @Test
  void alertAndSnapshotRows() throws Exception {
    insert("alerts", Rows.alert(SampleEvents.alert()));
    insert("oom_snapshots", Rows.oomSnapshot(SampleEvents.oomSnapshot()));
    assertThat(value("SELECT rule FROM it_rows.alerts")).isEqualTo(SampleEvents.alert().getRule());
    assertThat(value("SELECT concat(pool, ': ', verdict) FROM it_rows.alerts"))
        .isEqualTo("HEAP: " + SampleEvents.alert().getVerdict());
    assertThat(value("SELECT concat(pool, ': ', verdict) FROM it_rows.oom_snapshots"))
        .isEqualTo("HEAP: " + SampleEvents.oomSnapshot().getVerdict());
    assertThat(value("SELECT event_count FROM it_rows.oom_snapshots"))
        .isEqualTo(String.valueOf(SampleEvents.oomSnapshot().getEvents().size()));
  }
}
