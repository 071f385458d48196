package io.memfleet.schema.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.event.Allocation;
import io.memfleet.event.ResidentMemory;
import io.memfleet.schema.EventTypes;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.codec.EventDecodeException.Reason;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Lengths that lie about the input are decode errors, found before anything is allocated. */
class BoundedDecodingTest {
  private final EventCodec codec = EventCodec.fromClasspath();

  @Test
  void aHugeStringLengthIsRefusedWithoutAllocating() {
    byte[] poison = PoisonRecords.hugeFirstLength(ResidentMemory.getClassSchema(), 1_500_000_000L);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    codec.decode(codec.encode(SampleEvents.residentMemory())); // warm the reader cache
    long before = threads.getCurrentThreadAllocatedBytes();

    assertThatThrownBy(() -> codec.decode(poison))
        .isInstanceOfSatisfying(EventDecodeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.LENGTH_EXCEEDS_INPUT))
        .hasMessageContaining("io.memfleet.event.ResidentMemory")
        .hasMessageContaining("string length 1500000000 at body byte 0 exceeds the 3 bytes left");
    assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1 << 20);
  }

  @Test
  void everyEventKindRefusesAHugeFirstLength() {
    for (Schema schema : EventTypes.schemas()) {
      for (long length : List.of(4L, 1L << 20, Integer.MAX_VALUE + 1L, Long.MAX_VALUE)) {
        byte[] poison = PoisonRecords.hugeFirstLength(schema, length);
        assertThatThrownBy(() -> codec.decode(poison)).as("%s, length %d", schema.getName(), length)
            .isInstanceOfSatisfying(EventDecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.LENGTH_EXCEEDS_INPUT));
      }
    }
  }

  @Test
  void aHugeArrayCountIsRefused() {
    // an Allocation whose stack and later fields are all null ends in six 0 union indexes,
    // the first of which is the stack's
    byte[] stackless = codec.encode(Allocation.newBuilder(SampleEvents.allocation())
        .setStack(null).setThreadName(null).setAllocationTimeRaw(null).setAgeNs(null)
        .setOutstandingBytes(null).setInstances(null).build());
    ByteArrayOutputStream poison = new ByteArrayOutputStream();
    poison.write(stackless, 0, stackless.length - 6);
    PoisonRecords.writeVarLong(poison, 1); // union branch: StackTrace
    PoisonRecords.writeVarLong(poison, 42); // its hash
    PoisonRecords.writeVarLong(poison, 1_000_000_000L); // frames: a billion of them
    poison.writeBytes(new byte[] {0, 0, 0, 0, 0, 0, 0});
    assertThatThrownBy(() -> codec.decode(poison.toByteArray()))
        .isInstanceOfSatisfying(EventDecodeException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.LENGTH_EXCEEDS_INPUT))
        .hasMessageContaining("array item count 1000000000");
  }

  @Test
  void aNegativeLengthIsMalformedAndAnEndlessVarintIsToo() {
    byte[] negative = PoisonRecords.hugeFirstLength(ResidentMemory.getClassSchema(), -7);
    byte[] garbage = PoisonRecords.garbageBody(ResidentMemory.getClassSchema());

    assertThatThrownBy(() -> codec.decode(negative)).isInstanceOfSatisfying(
        EventDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_BODY));
    assertThatThrownBy(() -> codec.decode(garbage)).isInstanceOfSatisfying(
        EventDecodeException.class, e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED_BODY));
  }

  @Test
  void everyPrefixOfEveryRecordIsAnErrorWithAReason() {
    for (SpecificRecord record : SampleEvents.all()) {
      byte[] valid = codec.encode(record);
      for (int keep = 0; keep < valid.length - 10; keep++) {
        byte[] cut = PoisonRecords.truncated(valid, keep);
        assertThatThrownBy(() -> codec.decode(cut))
            .as("%s cut to %d body bytes", record.getSchema().getName(), keep)
            .isInstanceOfSatisfying(EventDecodeException.class, e -> assertThat(e.reason())
                .isIn(Reason.TRUNCATED, Reason.LENGTH_EXCEEDS_INPUT, Reason.MALFORMED_BODY));
      }
    }
  }

  @Test
  void inA64MiBHeapTheCodecRefusesWhatPlainAvroRunsOutOfMemoryOn() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp",
        System.getProperty("java.class.path"), LyingLengthInSmallHeap.class.getName())
        .redirectErrorStream(true).start();
    String output;
    try {
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
      output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("codec: LENGTH_EXCEEDS_INPUT")
        // the contrast shows the heap is small enough for the bug to show
        .contains("avro: java.lang.OutOfMemoryError")
        .containsPattern("max heap: [0-9]{7,8}\\b");
  }
}
