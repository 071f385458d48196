package io.memfleet.pipeline.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ProcessIdentity;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.EventSchemaStore;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The identity cut out of an encoded event is exactly its encoded ProcessIdentity. */
class IdentitySplitTest {
  private static final EventCodec CODEC = EventCodec.fromClasspath();

  private static byte[] encoded(ProcessIdentity p) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
    new SpecificDatumWriter<>(ProcessIdentity.class).write(p, e);
    e.flush();
    return out.toByteArray();
  }

  @Test
  void everyEventKindSplitsAtItsIdentityAndJoinsBackByteForByte() throws Exception {
    IdentitySplit split = new IdentitySplit(EventSchemaStore.fromClasspath());
    int kinds = 0;
    for (SpecificRecord r : SampleEvents.all()) {
      byte[] payload = CODEC.encode(r);
      int end = split.identityEnd(payload);
      if (!"header".equals(r.getSchema().getFields().get(0).name())) {
        assertThat(end).as(r.getSchema().getName() + " has no header").isEqualTo(-1);
        continue;
      }
      kinds++;
      assertThat(end).as(r.getSchema().getName()).isGreaterThan(IdentitySplit.START);
      byte[] identity = Arrays.copyOfRange(payload, IdentitySplit.START, end);
      assertThat(identity).isEqualTo(encoded(SampleEvents.process()));
      byte[] rest = IdentitySplit.without(payload, end);
      assertThat(rest).hasSize(payload.length - identity.length);
      assertThat(IdentitySplit.join(rest, identity)).isEqualTo(payload);
      assertThat(CODEC.decode(IdentitySplit.join(rest, identity))).isEqualTo(r);
      assertThat(IdentitySplit.sameIdentity(payload, end, identity)).isTrue();
      assertThat(IdentitySplit.sameIdentity(payload, end, new byte[] {1, 2})).isFalse();
    }
    assertThat(kinds).as("event kinds split").isGreaterThan(10);
  }

  @Test
  void whatItCannotReadIsKeptWhole() {
    IdentitySplit split = new IdentitySplit(EventSchemaStore.fromClasspath());
    byte[] payload = CODEC.encode(SampleEvents.heapSummary());
    assertThat(split.identityEnd(Arrays.copyOf(payload, 14))).as("ends early").isEqualTo(-1);
    byte[] unknown = payload.clone();
    unknown[5] ^= 0x55; // another fingerprint
    assertThat(split.identityEnd(unknown)).isEqualTo(-1);
    byte[] notSingleObject = payload.clone();
    notSingleObject[0] = 0;
    assertThat(split.identityEnd(notSingleObject)).isEqualTo(-1);
    assertThat(split.identityEnd(null)).isEqualTo(-1);
    assertThat(split.identityEnd(new byte[3])).isEqualTo(-1);
  }
}
