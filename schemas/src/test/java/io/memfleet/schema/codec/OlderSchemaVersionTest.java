package io.memfleet.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.EventHeader;
import io.memfleet.event.ResidentMemory;
import io.memfleet.schema.codec.EventDecodeException.Reason;
import io.memfleet.schema.SampleEvents;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/** A collector built with an older schema keeps publishing during an upgrade; we must read it. */
class OlderSchemaVersionTest {

  /** ResidentMemory as an imagined earlier version: no swap, no cgroup OOM counter. */
  private static final String OLD_RESIDENT_MEMORY =
      """
      {"type": "record", "name": "ResidentMemory", "namespace": "io.memfleet.event",
       "fields": [
         {"name": "header", "type": "io.memfleet.event.EventHeader"},
         {"name": "rssBytes", "type": "long"},
         {"name": "pssBytes", "type": ["null", "long"], "default": null},
         {"name": "anonBytes", "type": ["null", "long"], "default": null},
         {"name": "fileBytes", "type": ["null", "long"], "default": null},
         {"name": "shmemBytes", "type": ["null", "long"], "default": null},
         {"name": "vmSizeBytes", "type": ["null", "long"], "default": null},
         {"name": "cgroupVersion", "type": ["null", "int"], "default": null},
         {"name": "cgroupUsageBytes", "type": ["null", "long"], "default": null},
         {"name": "cgroupLimitBytes", "type": ["null", "long"], "default": null}
       ]}
      """;

  // the old schema names the header type instead of inlining it, to stay readable
  private static Schema oldSchema() {
    return new Schema.Parser()
        .addTypes(List.of(EventHeader.getClassSchema()))
        .parse(OLD_RESIDENT_MEMORY);
  }

  @Test
  void decodesRecordWrittenWithOlderSchemaIntoCurrentClass() throws Exception {
    Schema old =
        oldSchema();
    EventHeader header = SampleEvents.residentMemory().getHeader();
    GenericRecord written = new GenericData.Record(old);
    written.put("header", header);
    written.put("rssBytes", 734_003_200L);
    written.put("anonBytes", 690_000_000L);
    written.put("cgroupVersion", 2);
    written.put("cgroupLimitBytes", 1_073_741_824L);
    // encode with Avro's own single-object encoder, as a foreign or older collector would
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(SpecificData.get(), old).encode(written, bytes);
    EventSchemaStore store = EventSchemaStore.fromClasspath();
    store.register(old);
    EventCodec codec = new EventCodec(store);

    ResidentMemory decoded = codec.decode(bytes.toByteArray(), ResidentMemory.class);

    assertThat(decoded.getHeader()).isEqualTo(header);
    assertThat(decoded.getRssBytes()).isEqualTo(734_003_200L);
    assertThat(decoded.getAnonBytes()).isEqualTo(690_000_000L);
    assertThat(decoded.getCgroupVersion()).isEqualTo(2);
    assertThat(decoded.getCgroupLimitBytes()).isEqualTo(1_073_741_824L);
    assertThat(decoded.getPssBytes()).isNull();
    assertThat(decoded.getSwapBytes()).isNull();
    assertThat(decoded.getCgroupOomKills()).isNull();
  }

  @Test
  void withoutTheOldSchemaTheFingerprintIsUnknown() throws Exception {
    Schema old =
        oldSchema();
    GenericRecord written = new GenericData.Record(old);
    written.put("header", SampleEvents.residentMemory().getHeader());
    written.put("rssBytes", 1L);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(SpecificData.get(), old).encode(written, bytes);

    EventCodec codec = EventCodec.fromClasspath();

    assertThatThrownBy(() -> codec.decode(bytes.toByteArray()))
        .isInstanceOfSatisfying(
            EventDecodeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FINGERPRINT));
  }
}
