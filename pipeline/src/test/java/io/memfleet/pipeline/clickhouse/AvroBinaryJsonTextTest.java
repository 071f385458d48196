package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.EventHeader;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventCodec;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * Written from the Avro binary, the payload text is the one written from the decoded record, for
 * every record kind memfleet has — character for character but for a map's entries, which come
 * in the order they were written rather than a decoded map's hash order; where the bytes cannot
 * give it
 * (a string beyond ASCII, bytes that are not a whole record of the schema) nothing is written
 * and the row falls back to the record.
 */
class AvroBinaryJsonTextTest {
  private static final EventCodec CODEC = EventCodec.fromClasspath();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The JSON text escaped for a JSON string, read back. */
  private static JsonNode tree(String escaped) throws Exception {
    return JSON.readTree(JSON.readTree("\"" + escaped + "\"").asText());
  }

  private static String fromRecord(SpecificRecord record) {
    StringBuilder out = new StringBuilder();
    AvroJsonText.appendEscaped(out, record, record.getSchema());
    return out.toString();
  }

  /** The text from the record's encoded bytes, or null when declined. */
  private static String fromBinary(byte[] value, SpecificRecord record) {
    StringBuilder out = new StringBuilder("prefix");
    boolean written = AvroBinaryJsonText.appendEscaped(out, value, EventCodec.BODY_OFFSET,
        record.getSchema());
    if (!written) {
      assertThat(out.toString()).as("nothing appended when declined").isEqualTo("prefix");
      return null;
    }
    return out.substring("prefix".length());
  }

  private static ResidentMemory withProcess(ProcessIdentity.Builder process) {
    ResidentMemory rss = SampleEvents.all().stream().filter(r -> r instanceof ResidentMemory)
        .map(r -> (ResidentMemory) r).findFirst().orElseThrow();
    return ResidentMemory.newBuilder(rss).setHeader(EventHeader.newBuilder(rss.getHeader())
        .setProcess(process.build()).build()).build();
  }

  @Test
  void everyRecordKindIsTheSameJsonAsFromTheRecord() throws Exception {
    int kinds = 0;
    for (SpecificRecord record : SampleEvents.all()) {
      byte[] value = CODEC.encode(record);
      SpecificRecord decoded = CODEC.decode(value);
      assertThat(CODEC.writtenWith(value, decoded)).isTrue();
      String binary = fromBinary(value, decoded);
      assertThat(binary).as(record.getSchema().getName()).isNotNull();
      assertThat(tree(binary)).as(record.getSchema().getName())
          .isEqualTo(tree(fromRecord(decoded)));
      kinds++;
    }
    assertThat(kinds).isGreaterThan(10);
  }

  @Test
  void escapesAndMapEntriesAreWrittenAsFromTheRecord() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("team", "a\"b\\c\nd\r\te\u0001\u001f{\"x\":1}");
    ResidentMemory rss = withProcess(ProcessIdentity.newBuilder(SampleEvents.process())
        .setComm("svc\\\"\u007f").setLabels(labels));
    byte[] value = CODEC.encode(rss);
    SpecificRecord decoded = CODEC.decode(value);

    assertThat(fromBinary(value, decoded)).isEqualTo(fromRecord(decoded))
        .contains("a\\\\\\\"b\\\\\\\\c\\\\nd\\\\r\\\\te\\\\u0001\\\\u001f");
  }

  @Test
  void aMapsEntriesComeInTheOrderTheyWereWritten() {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String k : new String[] {"zone", "app", "team", "version", "b", "a"}) {
      labels.put(k, k.toUpperCase());
    }
    ResidentMemory rss = withProcess(ProcessIdentity.newBuilder(SampleEvents.process())
        .setLabels(labels));
    byte[] value = CODEC.encode(rss);

    assertThat(fromBinary(value, CODEC.decode(value))).contains("\\\"labels\\\":{"
        + "\\\"zone\\\":\\\"ZONE\\\",\\\"app\\\":\\\"APP\\\",\\\"team\\\"");
  }

  @Test
  void aStringBeyondAsciiIsLeftToTheRecordAndTheRowIsTheSame() {
    ResidentMemory rss = withProcess(ProcessIdentity.newBuilder(SampleEvents.process())
        .setComm("caf\u00e9 \u20ac \ud83d\ude00"));
    byte[] value = CODEC.encode(rss);
    SpecificRecord decoded = CODEC.decode(value);

    assertThat(fromBinary(value, decoded)).isNull();
    assertThat(JsonRow.create().putAvro("payload", decoded, value, EventCodec.BODY_OFFSET)
        .toString()).isEqualTo(JsonRow.create().putAvro("payload", decoded).toString())
        .contains("caf\u00e9 \u20ac \ud83d\ude00");
  }

  @Test
  void bytesThatAreNotAWholeRecordOfTheSchemaAreDeclined() {
    ResidentMemory rss = withProcess(ProcessIdentity.newBuilder(SampleEvents.process()));
    byte[] value = CODEC.encode(rss);
    SpecificRecord decoded = CODEC.decode(value);

    assertThat(fromBinary(Arrays.copyOf(value, value.length - 3), decoded)).isNull();
    assertThat(fromBinary(Arrays.copyOf(value, value.length + 2), decoded)).isNull();
    byte[] lying = value.clone();
    lying[EventCodec.BODY_OFFSET] = (byte) 0x7e; // a first length far beyond the bytes
    assertThat(fromBinary(lying, decoded)).isNull();
  }

  @Test
  void onlyAValueOfTheSchemaItselfIsWrittenWithIt() {
    SpecificRecord[] two = SampleEvents.all().stream().limit(2).toArray(SpecificRecord[]::new);
    byte[] value = CODEC.encode(two[0]);

    assertThat(CODEC.writtenWith(value, two[0])).isTrue();
    assertThat(CODEC.writtenWith(value, two[1])).isFalse();
    assertThat(CODEC.writtenWith(new byte[] {1, 2, 3}, two[0])).isFalse();
    assertThat(CODEC.writtenWith(null, two[0])).isFalse();
  }
}
