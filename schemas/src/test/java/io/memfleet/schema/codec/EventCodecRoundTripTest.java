package io.memfleet.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.event.GcCycle;
import io.memfleet.event.Source;
import io.memfleet.schema.EventTypes;
import io.memfleet.schema.SampleEvents;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventCodecRoundTripTest {

  private final EventCodec codec = EventCodec.fromClasspath();

  static Stream<SpecificRecord> samples() {
    return SampleEvents.all().stream();
  }

  @Test
  void fixtureCoversEveryTopLevelType() {
    assertThat(SampleEvents.all()).map(Object::getClass).containsExactlyElementsOf(EventTypes.ALL);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void fixtureIsFullyPopulated(SpecificRecord sample) {
    for (Schema.Field field : sample.getSchema().getFields()) {
      assertThat(sample.get(field.pos())).as(field.name()).isNotNull();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void roundTripsEveryRecordType(SpecificRecord sample) {
    byte[] bytes = codec.encode(sample);

    SpecificRecord decoded = codec.decode(bytes);

    assertThat(decoded).isInstanceOf(sample.getClass()).isEqualTo(sample);
    assertThat(codec.decode(bytes, sample.getClass())).isEqualTo(sample);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void writesStandardSingleObjectEncoding(SpecificRecord sample) throws Exception {
    byte[] bytes = codec.encode(sample);

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint).isEqualTo(EventSchemaStore.fingerprint(sample.getSchema()));
    // Avro's own decoder reads our bytes: any Avro client can consume memfleet topics
    BinaryMessageDecoder<SpecificRecord> avro =
        new BinaryMessageDecoder<>(SpecificData.get(), sample.getSchema());
    assertThat(avro.decode(bytes)).isEqualTo(sample);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void writesWhatAvrosOwnWriterWrites(SpecificRecord sample) throws Exception {
    // the codec calls the generated encoder; Avro's writer walks the schema (its generated
    // encoders are off unless the JVM sets org.apache.avro.specific.use_custom_coders)
    assertThat(codec.encode(sample)).isEqualTo(avroEncoded(sample));
  }

  /** {@code record} in single-object encoding by Avro's own {@link BinaryMessageEncoder}. */
  static byte[] avroEncoded(SpecificRecord record) throws java.io.IOException {
    ByteBuffer b = new BinaryMessageEncoder<SpecificRecord>(SpecificData.get(),
        record.getSchema()).encode(record);
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }

  @Test
  void eventsExposeHeaderAndKind() {
    GcCycle cycle = SampleEvents.gcCycle();
    SpecificRecord decoded = codec.decode(codec.encode(cycle));

    assertThat(Events.kind(decoded)).isEqualTo("GcCycle");
    assertThat(Events.header(decoded).getSource()).isEqualTo(Source.JFR);
    assertThat(Events.header(decoded).getProcess().getPid()).isEqualTo(48_211);
    Alert alert = SampleEvents.alert();
    assertThat(Events.header(alert)).isNull();
    assertThat(Events.kind(alert)).isEqualTo("Alert");
  }

  @Test
  void codecIsSafeForConcurrentUse() {
    var samples = SampleEvents.all();
    boolean allEqual =
        IntStream.range(0, 2_000)
            .parallel()
            .allMatch(i -> {
              SpecificRecord r = samples.get(i % samples.size());
              return codec.decode(codec.encode(r)).equals(r);
            });
    assertThat(allEqual).isTrue();
  }
}
