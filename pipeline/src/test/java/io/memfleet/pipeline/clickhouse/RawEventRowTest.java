package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.EventHeader;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.pipeline.Fixtures;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * {@code events_raw}'s row written as ASCII bytes ({@link RawEventRow}) is the row
 * {@link JsonRow} writes for the same event, character for character; an event with anything
 * beyond ASCII gets {@link JsonRow}'s row, and the thread's buffer serves the next row right.
 */
class RawEventRowTest {
  private static final EventCodec CODEC = EventCodec.fromClasspath();

  private static TimedEvent timed(SpecificRecord record) {
    return Fixtures.timed(record, Fixtures.START_MS + 5_000);
  }

  /** The row {@link Rows#rawEvent} gives, checked against {@link JsonRow}'s for the event. */
  private static String row(TimedEvent e, boolean ascii) {
    SpecificRecord record = CODEC.decode(e.payload);
    assertThat(CODEC.writtenWith(e.payload, record)).isTrue();
    String viaJsonRow = Rows.rawEvent(e, record, e.payload);
    String fast = RawEventRow.ascii(e, record.getSchema(), e.payload, 0.0);
    assertThat(fast != null).as("written as ASCII: " + e).isEqualTo(ascii);
    String row = Rows.rawEvent(e);
    assertThat(row).isEqualTo(viaJsonRow);
    return row;
  }

  private static ResidentMemory rssWith(ProcessIdentity.Builder process) {
    ResidentMemory rss = SampleEvents.all().stream().filter(r -> r instanceof ResidentMemory)
        .map(r -> (ResidentMemory) r).findFirst().orElseThrow();
    return ResidentMemory.newBuilder(rss).setHeader(EventHeader.newBuilder(rss.getHeader())
        .setProcess(process.build()).build()).build();
  }

  @Test
  void everyRecordKindGivesJsonRowsRow() {
    int kinds = 0;
    for (SpecificRecord record : SampleEvents.all()) {
      if (Events.header(record) == null) {
        continue; // ClockSync: not an event, never a row of events_raw
      }
      TimedEvent e = timed(record);
      assertThat(row(e, true)).startsWith("{\"event_date\":\"")
          .contains("\"kind\":\"" + record.getSchema().getName() + "\"");
      kinds++;
    }
    assertThat(kinds).isGreaterThan(10);
  }

  @Test
  void escapesNullsAndNumbersAreWrittenAsJsonRowWritesThem() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("team", "a\"b\\c\nd\r\te\u0001\u001f{\"x\":1}");
    TimedEvent e = timed(rssWith(ProcessIdentity.newBuilder(SampleEvents.process())
        .setLabels(labels)));
    e.comm = "svc \"q\" \\ \n\r\t\u0000\u001f\u007f";
    e.pod = "";
    e.service = null;
    e.container = null;
    e.cluster = null;
    e.kind = null;
    e.runtime = null;
    e.source = null;
    e.utcNs = -1_234_567_890_123L; // before 1970: the date of a negative day
    e.errorBoundNs = Long.MIN_VALUE;
    e.sequence = Long.MAX_VALUE;
    e.pid = -1;
    e.processStartTimeMs = 0;
    e.rssBytes = null;
    e.nativeBytes = -4096L;
    assertThat(row(e, true)).contains("\"service\":\"\"")
        .contains("\\\"q\\\" \\\\ \\n\\r\\t\\u0000\\u001f\u007f")
        .contains("\"value\":-4096.0");

    e.runtime = Runtime.GO;
    e.source = Source.EBPF;
    e.nativeBytes = null;
    e.utcNs = Long.MAX_VALUE;
    for (long value : new long[] {0, 1, 9_999_999, 10_000_000, 1L << 40, -(1L << 53) - 1}) {
      e.rssBytes = value;
      assertThat(row(e, true)).contains("\"value\":" + Double.toString(value) + ",");
    }
  }

  @Test
  void daysAfterEachOtherAndBackAreEachTheirOwn() {
    TimedEvent e = timed(rssWith(ProcessIdentity.newBuilder(SampleEvents.process())));
    long day = 86_400_000_000_000L;
    long[] times = {0, day - 1, day, -1, 10_000 * day, 0, 19_000 * day + 5};
    String[] dates = {"1970-01-01", "1970-01-01", "1970-01-02", "1969-12-31", "1997-05-19",
        "1970-01-01", "2022-01-08"};
    for (int i = 0; i < times.length; i++) {
      e.utcNs = times[i];
      assertThat(row(e, true)).startsWith("{\"event_date\":\"" + dates[i] + "\",");
    }
  }

  @Test
  void anythingBeyondAsciiGetsJsonRowsRowAndTheNextRowIsRight() {
    TimedEvent plain = timed(rssWith(ProcessIdentity.newBuilder(SampleEvents.process())));
    String before = row(plain, true);

    TimedEvent service = timed(rssWith(ProcessIdentity.newBuilder(SampleEvents.process())));
    service.service = "caf\u00e9";
    assertThat(row(service, false)).contains("\"service\":\"caf\u00e9\"");
    assertThat(row(plain, true)).isEqualTo(before);

    TimedEvent kind = timed(rssWith(ProcessIdentity.newBuilder(SampleEvents.process())));
    kind.kind = "Resident\u20acMemory";
    row(kind, false);
    assertThat(row(plain, true)).isEqualTo(before);

    TimedEvent payload = timed(rssWith(ProcessIdentity.newBuilder(SampleEvents.process())
        .setComm("caf\u00e9 \u20ac \ud83d\ude00")));
    assertThat(row(payload, false)).contains("caf\u00e9 \u20ac \ud83d\ude00");
    assertThat(row(plain, true)).isEqualTo(before);
  }

  @Test
  void aRowLongerThanTheBufferIsWholeAndSoIsTheNext() {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      labels.put("label-" + i, "value \"" + i + "\" of a long row");
    }
    TimedEvent big = timed(rssWith(ProcessIdentity.newBuilder(SampleEvents.process())
        .setLabels(labels)));
    assertThat(row(big, true).length()).isGreaterThan(3 * 8192);
    TimedEvent plain = timed(rssWith(ProcessIdentity.newBuilder(SampleEvents.process())));
    assertThat(row(plain, true).length()).isLessThan(8192);
  }
}
