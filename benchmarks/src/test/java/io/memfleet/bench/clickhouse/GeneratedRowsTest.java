package io.memfleet.bench.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.GcPause;
import io.memfleet.event.ResidentMemory;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.codec.EventCodec;
import org.junit.jupiter.api.Test;

/** The baseline writes the same rows as the sink only if element i is always the same row. */
class GeneratedRowsTest {
  private static final long START = 1_767_571_200_000L;

  @Test
  void everyTableRendersElementIAsTheSameRowInEveryInstance() throws Exception {
    for (SinkTable table : SinkTable.values()) {
      SinkTable.Plan<?> a = table.plan(START, 50);
      SinkTable.Plan<?> b = table.plan(START, 50);
      for (long i : new long[] {0, 1, 49, 50, 12_345}) {
        assertThat(b.row(i)).as(table + " row " + i).isEqualTo(a.row(i));
      }
      assertThat(a.row(1)).isNotEqualTo(a.row(2));
      assertThat(a.row(0)).startsWith("{").endsWith("}").doesNotContain("batch_id");
    }
  }

  @Test
  void eventsCarryDecodablePayloadsOfTheirKind() throws Exception {
    EventCodec codec = EventCodec.fromClasspath();
    GeneratedRows.Events events = new GeneratedRows.Events(START, 10, false);
    TimedEvent first = events.map(0L);
    assertThat(first.kind).isEqualTo("ResidentMemory");
    assertThat(codec.decode(first.payload)).isInstanceOf(ResidentMemory.class);
    TimedEvent pause = new GeneratedRows.Events(START, 10, true).map(3L);
    assertThat(pause.kind).isEqualTo("GcPause");
    assertThat(codec.decode(pause.payload)).isInstanceOf(GcPause.class);
    assertThat(((GcPause) codec.decode(pause.payload)).getHeader().getProcess().getPid())
        .isEqualTo(pause.pid);
  }

  @Test
  void windowsStepThroughTimePerProcess() throws Exception {
    GeneratedRows.Windows windows = new GeneratedRows.Windows(START, 60_000, 10);
    assertThat(windows.map(3L).windowStartMs).isEqualTo(START);
    assertThat(windows.map(13L).windowStartMs).isEqualTo(START + 60_000);
    assertThat(windows.map(13L).pid).isEqualTo(windows.map(3L).pid);
    assertThat(windows.map(13L).rssMax).isPositive().isLessThan(windows.map(13L).cgroupLimit);
  }
}
