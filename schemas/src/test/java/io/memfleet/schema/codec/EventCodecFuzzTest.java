package io.memfleet.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ResidentMemory;
import io.memfleet.fuzz.Bounded;
import io.memfleet.fuzz.Mutations;
import io.memfleet.schema.EventTypes;
import io.memfleet.schema.SampleEvents;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Fuzzes {@link EventCodec#decode}: mutations of every sample record and of poison records. The
 * only error is {@link EventDecodeException}; no input hangs or allocates beyond its size; what
 * decodes encodes again to the bytes Avro's own writer gives it.
 */
class EventCodecFuzzTest {
  private static final EventCodec CODEC = EventCodec.fromClasspath();

  @Property
  void decodeThrowsOnlyEventDecodeException(@ForAll("records") byte[] value) throws Exception {
    try {
      SpecificRecord record = Bounded.call(() -> CODEC.decode(value), value.length);
      // what decodes must encode again: the codec never hands out a half-built record; and the
      // generated encoder it uses writes byte for byte what Avro's schema-walking writer writes
      assertThat(CODEC.encode(record)).isEqualTo(EventCodecRoundTripTest.avroEncoded(record));
    } catch (EventDecodeException expected) {
      assertThat(expected.reason()).isNotNull();
    }
  }

  @Provide
  Arbitrary<byte[]> records() {
    List<byte[]> seeds = new ArrayList<>();
    for (SpecificRecord r : SampleEvents.all()) {
      seeds.add(CODEC.encode(r));
    }
    for (Schema schema : EventTypes.schemas()) {
      seeds.add(PoisonRecords.header(schema));
    }
    seeds.add(PoisonRecords.hugeFirstLength(ResidentMemory.getClassSchema(), 1_500_000_000L));
    return Mutations.bytes(seeds);
  }
}
