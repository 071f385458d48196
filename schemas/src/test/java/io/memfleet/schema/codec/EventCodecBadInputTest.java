package io.memfleet.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.Allocation;
import io.memfleet.event.GcCycle;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventDecodeException.Reason;
import io.memfleet.schema.codec.internal.SingleObjectHeader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class EventCodecBadInputTest {

  private final EventCodec codec = EventCodec.fromClasspath();

  @Test
  void shorterThanTheHeaderIsTruncated() {
    byte[] five = {(byte) 0xC3, 0x01, 0x10, 0x20, 0x30};

    assertReason(() -> codec.decode(five), Reason.TRUNCATED)
        .hasMessageContaining("truncated: 5 bytes, single-object header needs 10");
    assertReason(() -> codec.decode(new byte[0]), Reason.TRUNCATED)
        .hasMessageContaining("0 bytes");
    assertReason(() -> codec.decode(null), Reason.TRUNCATED).hasMessageContaining("null value");
  }

  @Test
  void bodyCutShortIsTruncated() {
    byte[] whole = codec.encode(SampleEvents.gcCycle());
    byte[] cut = Arrays.copyOf(whole, whole.length - 20);

    assertReason(() -> codec.decode(cut), Reason.TRUNCATED)
        .hasMessageContaining("io.memfleet.event.GcCycle")
        .hasMessageContaining("ends early");
  }

  @Test
  void headerOnlyIsTruncated() {
    byte[] header = Arrays.copyOf(codec.encode(SampleEvents.gcPause()), 10);

    assertReason(() -> codec.decode(header), Reason.TRUNCATED);
  }

  @Test
  void unknownFingerprintIsNamed() {
    byte[] bytes = codec.encode(SampleEvents.free());
    bytes[2] ^= 0x5A; // a different fingerprint, same body

    assertReason(() -> codec.decode(bytes), Reason.UNKNOWN_FINGERPRINT)
        .hasMessageMatching(".*unknown schema fingerprint 0x[0-9a-f]{16} .*")
        .hasMessageContaining("newer collector than this reader");
  }

  @Test
  void plainTextIsNotSingleObjectEncoding() {
    byte[] text = "hello world".getBytes(StandardCharsets.UTF_8);

    assertReason(() -> codec.decode(text), Reason.NOT_SINGLE_OBJECT_ENCODING)
        .hasMessageContaining("starts with 68 65 6C 6C, expected C3 01")
        .hasMessageContaining("\"hello world\"");
  }

  @Test
  void jsonIsNotSingleObjectEncoding() {
    byte[] json = "{\"pid\": 42, \"rss\": 1024}".getBytes(StandardCharsets.UTF_8);

    assertReason(() -> codec.decode(json), Reason.NOT_SINGLE_OBJECT_ENCODING)
        .hasMessageContaining("not Avro single-object encoding");
  }

  @Test
  void shortForeignBytesAreForeignNotTruncated() {
    assertReason(() -> codec.decode(new byte[] {0x00, 0x01}), Reason.NOT_SINGLE_OBJECT_ENCODING);
  }

  @Test
  void garbageBodyIsMalformed() {
    byte[] bytes = codec.encode(SampleEvents.gcPause());
    byte[] withTrailing = Arrays.copyOf(bytes, bytes.length + 3);

    assertReason(() -> codec.decode(withTrailing), Reason.MALFORMED_BODY)
        .hasMessageContaining("trailing bytes");
  }

  @Test
  void knownSchemaWithoutClassIsUnknownRecordType() {
    Schema foreign =
        SchemaBuilder.record("Heartbeat").namespace("com.example.ops").fields()
            .requiredLong("at").endRecord();
    EventSchemaStore store = EventSchemaStore.fromClasspath();
    long fingerprint = store.register(foreign);
    byte[] bytes = new byte[11];
    System.arraycopy(SingleObjectHeader.of(fingerprint), 0, bytes, 0, 10);

    assertReason(() -> new EventCodec(store).decode(bytes), Reason.UNKNOWN_RECORD_TYPE)
        .hasMessageContaining("com.example.ops.Heartbeat");
  }

  @Test
  void wrongRequestedTypeIsTypeMismatch() {
    byte[] bytes = codec.encode(SampleEvents.allocation());

    assertReason(() -> codec.decode(bytes, GcCycle.class), Reason.TYPE_MISMATCH)
        .hasMessageContaining("expected " + GcCycle.class.getName())
        .hasMessageContaining(Allocation.getClassSchema().getFullName());
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertReason(
      Executable call, Reason reason) {
    return assertThatThrownBy(call::execute)
        .isInstanceOfSatisfying(
            EventDecodeException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
