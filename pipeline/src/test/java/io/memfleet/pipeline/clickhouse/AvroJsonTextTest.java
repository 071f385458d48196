package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.ResidentMemory;
import io.memfleet.schema.SampleEvents;
import io.memfleet.event.DeadLetter;
import io.memfleet.event.OomSnapshot;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The payload text is the record as Avro itself shows it: for every event kind of the schema
 * samples, the row's payload string, read back by a JSON parser, is JSON whose tree equals the
 * tree of Avro's {@code toString} (which it replaces), also for strings full of quotes,
 * backslashes and control characters.
 */
class AvroJsonTextTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode payloadOf(SpecificRecord record) throws Exception {
    String row = JsonRow.create().put("before", "x").putAvro("payload", record)
        .put("after", 1L).toString();
    JsonNode parsed = JSON.readTree(row);
    assertThat(parsed.get("before").asText()).isEqualTo("x");
    assertThat(parsed.get("after").asLong()).isEqualTo(1L);
    return JSON.readTree(parsed.get("payload").asText());
  }

  @Test
  void everyEventKindReadsBackAsAvrosOwnJson() throws Exception {
    for (SpecificRecord record : SampleEvents.all()) {
      if (record instanceof OomSnapshot || record instanceof DeadLetter) {
        continue; // the pipeline's own outputs, with bytes: below
      }
      assertThat(payloadOf(record)).as(record.getSchema().getName())
          .isEqualTo(JSON.readTree(record.toString()));
    }
  }

  @Test
  void bytesAreBase64WhereAvroPrintsACharacterPerByte() throws Exception {
    OomSnapshot snapshot = SampleEvents.all().stream().filter(r -> r instanceof OomSnapshot)
        .map(r -> (OomSnapshot) r).findFirst().orElseThrow();
    JsonNode ours = payloadOf(snapshot);
    JsonNode avros = JSON.readTree(snapshot.toString());
    ByteBuffer encoded = snapshot.getEvents().get(0).getEncoded().duplicate();
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    assertThat(Base64.getDecoder().decode(ours.at("/events/0/encoded").asText()))
        .isEqualTo(bytes);
    ((ObjectNode) ours.at("/events/0")).remove("encoded");
    ((ObjectNode) avros.at("/events/0")).remove("encoded");
    assertThat(ours).isEqualTo(avros);
  }

  @Test
  void hostileStringsSurviveBothEscapes() throws Exception {
    String hostile = "a\"b\\c\nd\r\te\u0001\u001f{\"x\":1}\u00e9\u20ac\ud83d\ude00";
    ProcessIdentity process = ProcessIdentity.newBuilder(SampleEvents.process())
        .setComm(hostile).setService("svc\\\"").setLabels(Map.of("k\"", "v\\\n")).build();
    ResidentMemory rss = SampleEvents.all().stream().filter(r -> r instanceof ResidentMemory)
        .map(r -> (ResidentMemory) r).findFirst().orElseThrow();
    rss = ResidentMemory.newBuilder(rss).setHeader(io.memfleet.event.EventHeader.newBuilder(
        rss.getHeader()).setProcess(process).build()).build();
    JsonNode payload = payloadOf(rss);
    assertThat(payload).isEqualTo(JSON.readTree(rss.toString()));
    assertThat(payload.at("/header/process/comm").asText()).isEqualTo(hostile);
    assertThat(payload.at("/header/process/labels").get("k\"").asText()).isEqualTo("v\\\n");
  }

  @Test
  void aGenericRecordsEnumIsWrittenByItsSymbolAsAGeneratedOnesIs() throws Exception {
    ResidentMemory rss = SampleEvents.all().stream().filter(r -> r instanceof ResidentMemory)
        .map(r -> (ResidentMemory) r).findFirst().orElseThrow();
    // the same record read as a generic one: its enums are GenericData.EnumSymbols, not Java's
    GenericRecord generic = (GenericRecord) GenericData.get().deepCopy(rss.getSchema(), rss);
    assertThat(((GenericRecord) generic.get("header")).get("source"))
        .isInstanceOf(GenericData.EnumSymbol.class);
    // the same JSON (a copied map may list its entries in another order)
    JsonNode fromGeneric = JSON.readTree(JSON.readTree(
        JsonRow.create().putAvro("payload", generic).toString()).get("payload").asText());
    assertThat(fromGeneric).isEqualTo(payloadOf(rss));
    assertThat(fromGeneric.at("/header/source").asText())
        .isEqualTo(rss.getHeader().getSource().name());
  }

  @Test
  void anEmptyPayloadIsTheEmptyString() {
    assertThat(JsonRow.create().putAvro("payload", null).toString())
        .isEqualTo("{\"payload\":\"\"}");
  }
}
