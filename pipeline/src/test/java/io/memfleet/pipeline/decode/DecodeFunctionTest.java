package io.memfleet.pipeline.decode;

import static io.memfleet.pipeline.Fixtures.CODEC;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.DeadLetter;
import io.memfleet.event.ResidentMemory;
import io.memfleet.pipeline.Fixtures;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.pipeline.model.TimeBasis;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.time.ClockSample;
import io.memfleet.schema.SampleEvents;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.PoisonRecords;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DecodeFunctionTest {
  private OneInputStreamOperatorTestHarness<RawRecord, TimedEvent> h;

  @BeforeEach
  void open() throws Exception {
    h = ProcessFunctionTestHarnesses.forProcessFunction(new DecodeFunction());
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private <T> List<T> side(OutputTag<T> tag) {
    var records = h.getSideOutput(tag);
    return records == null
        ? List.of()
        : records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void everySampleEventDecodesToTheRightOutput() throws Exception {
    long offset = 0;
    int events = 0;
    for (var record : SampleEvents.all()) {
      if (io.memfleet.schema.codec.Events.header(record) == null) {
        continue; // pipeline outputs are not inputs; see notAnEventIsDeadLettered
      }
      h.processElement(Fixtures.raw(record, 1_000L, offset++), 0);
      events++;
    }
    assertThat(side(DecodeFunction.DEAD_LETTERS)).isEmpty();
    assertThat(side(DecodeFunction.CLOCK_SAMPLES)).hasSize(1);
    assertThat(h.extractOutputValues()).hasSize(events - 1);
  }

  @Test
  void anEventKeepsItsCoordinatesHeaderIdentityMeasuresAndBytes() throws Exception {
    ResidentMemory rss = SampleEvents.residentMemory();
    RawRecord raw = RawRecord.of(Topics.EVENTS_PROCFS, 2, 77L, 1_234L,
        Topics.key(rss.getHeader().getProcess()), CODEC.encode(rss));
    h.processElement(raw, 0);
    TimedEvent e = h.extractOutputValues().get(0);
    assertThat(e.topic).isEqualTo(Topics.EVENTS_PROCFS);
    assertThat(e.partition).isEqualTo(2);
    assertThat(e.offset).isEqualTo(77L);
    assertThat(e.publishTimeMs).isEqualTo(1_234L);
    assertThat(e.kind).isEqualTo("ResidentMemory");
    assertThat(e.clockDomain).isEqualTo(rss.getHeader().getClockDomain());
    assertThat(e.rawTimestamp).isEqualTo(rss.getHeader().getRawTimestamp());
    assertThat(e.service).isEqualTo("checkout");
    assertThat(e.pid).isEqualTo(48_211);
    assertThat(e.rssBytes).isEqualTo(rss.getRssBytes());
    assertThat(e.timeBasis).isEqualTo(TimeBasis.NONE);
    assertThat(e.payload).isEqualTo(raw.value);
    assertThat(e.record(CODEC)).isEqualTo(rss);
  }

  @Test
  void aClockSyncBecomesAClockSample() throws Exception {
    h.processElement(Fixtures.raw(SampleEvents.clockSync(), 0, 0), 0);
    ClockSample s = side(DecodeFunction.CLOCK_SAMPLES).get(0);
    assertThat(s.domain).isEqualTo(SampleEvents.clockSync().getHeader().getClockDomain());
    assertThat(s.realtimeNs).isEqualTo(SampleEvents.clockSync().getRealtimeNs());
    assertThat(s.bootId).isEqualTo(SampleEvents.BOOT_ID);
  }

  @Test
  void badBytesAreDeadLetteredWithReasonBytesAndCoordinates() throws Exception {
    byte[] garbage = "not avro at all".getBytes();
    byte[] good = CODEC.encode(SampleEvents.gcCycle());
    byte[] truncated = Arrays.copyOf(good, good.length - 5);
    h.processElement(RawRecord.of(Topics.EVENTS_EBPF, 1, 10L, 5L, "k".getBytes(), garbage), 0);
    h.processElement(RawRecord.of(Topics.EVENTS_JFR, 0, 11L, 6L, null, truncated), 0);
    h.processElement(RawRecord.of(Topics.EVENTS_JFR, 0, 12L, 7L, null, null), 0);

    assertThat(h.extractOutputValues()).isEmpty();
    List<DeadLetter> dead = side(DecodeFunction.DEAD_LETTERS);
    assertThat(dead).hasSize(3);
    DeadLetter first = dead.get(0);
    assertThat(first.getTopic()).isEqualTo(Topics.EVENTS_EBPF);
    assertThat(first.getPartition()).isEqualTo(1);
    assertThat(first.getOffset()).isEqualTo(10L);
    assertThat(bytes(first.getValue())).isEqualTo(garbage);
    assertThat(bytes(first.getKey())).isEqualTo("k".getBytes());
    assertThat(first.getReason()).startsWith("NOT_SINGLE_OBJECT_ENCODING");
    assertThat(first.getErrorType()).isEqualTo(
        "io.memfleet.schema.codec.EventDecodeException");
    assertThat(first.getStage()).isEqualTo("decode");
    assertThat(dead.get(1).getReason()).startsWith("TRUNCATED");
    assertThat(bytes(dead.get(1).getValue())).isEqualTo(truncated);
    assertThat(dead.get(2).getReason()).startsWith("NULL_VALUE");
    assertThat(dead.get(2).getValue()).isNull();
  }

  @Test
  void notAnEventIsDeadLettered() throws Exception {
    h.processElement(RawRecord.of(Topics.EVENTS_JFR, 0, 1L, 0L, null,
        CODEC.encode(SampleEvents.alert())), 0);
    assertThat(side(DecodeFunction.DEAD_LETTERS)).singleElement()
        .satisfies(d -> assertThat(d.getReason()).contains("not an event"));
  }

  @Test
  void aClockSampleThatCannotCalibrateIsDeadLettered() throws Exception {
    var ticksWithoutFrequency = Fixtures.clockSync(Fixtures.process(1, false),
        ClockDomain.JFR_TICKS, 5, null, 1, 1, 1, 1);
    h.processElement(Fixtures.raw(ticksWithoutFrequency, 0, 3), 0);
    assertThat(side(DecodeFunction.CLOCK_SAMPLES)).isEmpty();
    assertThat(side(DecodeFunction.DEAD_LETTERS)).singleElement()
        .satisfies(d -> assertThat(d.getReason()).startsWith("INVALID_CLOCK_SAMPLE"));
  }

  @Test
  void aLyingLengthIsDeadLetteredWithItsReason() throws Exception {
    byte[] poison = PoisonRecords.hugeFirstLength(ResidentMemory.getClassSchema(), 1_500_000_000L);
    h.processElement(RawRecord.of(Topics.EVENTS_PROCFS, 0, 5L, 0L, null, poison), 0);
    assertThat(side(DecodeFunction.DEAD_LETTERS)).singleElement().satisfies(d -> {
      assertThat(d.getReason()).startsWith("LENGTH_EXCEEDS_INPUT");
      assertThat(bytes(d.getValue())).isEqualTo(poison);
      assertThat(d.getTruncated()).isFalse();
      assertThat(d.getOriginalValueBytes()).isNull();
    });
  }

  @Test
  void aRecordLargerThanTheBoundIsCutAndSaysSo() throws Exception {
    h.close();
    h = ProcessFunctionTestHarnesses.forProcessFunction(new DecodeFunction(4096));
    byte[] key = new byte[3000];
    byte[] value = new byte[1_000_000];
    Arrays.fill(value, (byte) 'x');
    h.processElement(RawRecord.of(Topics.EVENTS_EBPF, 0, 9L, 0L, key, value), 0);
    DeadLetter d = side(DecodeFunction.DEAD_LETTERS).get(0);
    assertThat(d.getTruncated()).isTrue();
    assertThat(d.getOriginalKeyBytes()).isEqualTo(3000);
    assertThat(d.getOriginalValueBytes()).isEqualTo(1_000_000);
    assertThat(d.getKey().remaining()).isEqualTo(1024);
    assertThat(d.getValue().remaining()).isEqualTo(4096 - 2 * 1024);
    assertThat(bytes(d.getValue())).containsOnly((byte) 'x');
    assertThat(d.getReason()).startsWith("NOT_SINGLE_OBJECT_ENCODING");
  }

  @Test
  void deadLettersFitTheBoundWhateverTheSizes() {
    int max = 16 * 1024;
    io.memfleet.pipeline.kafka.DeadLetterRecordSerializer serializer =
        new io.memfleet.pipeline.kafka.DeadLetterRecordSerializer("dlq");
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 300; i++) {
      byte[] key = random.nextInt(4) == 0 ? null : new byte[random.nextInt(3 * max)];
      byte[] value = random.nextInt(8) == 0 ? null : new byte[random.nextInt(5 * max)];
      String reason = "x".repeat(random.nextInt(20_000));
      DeadLetter d = DeadLetters.of(RawRecord.of("t".repeat(random.nextInt(1000)), 0, i, 0L, key,
          value), reason, "E", "decode", 0L, max);
      var record = serializer.serialize(d, null, 0L);
      int size = record.value().length + (record.key() == null ? 0 : record.key().length)
          + record.topic().length();
      assertThat(size).as("record %d", i).isLessThanOrEqualTo(max + DeadLetters.OVERHEAD_BYTES);
      boolean cut = key != null && key.length > max / 4
          || value != null && value.length > d.getValue().remaining();
      assertThat(d.getTruncated()).isEqualTo(cut);
      assertThat(d.getReason().length()).isLessThanOrEqualTo(DeadLetters.MAX_REASON_CHARS);
    }
  }

  @Test
  void anErrorWhileDecodingIsDeadLetteredButOutOfMemoryIsNot() throws Exception {
    h.close();
    h = ProcessFunctionTestHarnesses.forProcessFunction(new DecodeFunction() {
      @Override
      org.apache.avro.specific.SpecificRecord decode(byte[] value) {
        switch (value[0]) {
          case 1: throw new AssertionError("a library's assert");
          case 2: throw new StackOverflowError();
          case 3: throw new ExceptionInInitializerError("static init");
          default: throw new OutOfMemoryError("Java heap space");
        }
      }
    });
    for (byte b = 1; b <= 3; b++) {
      h.processElement(RawRecord.of(Topics.EVENTS_JFR, 0, b, 0L, null, new byte[] {b}), 0);
    }
    assertThat(side(DecodeFunction.DEAD_LETTERS)).extracting(DeadLetter::getErrorType)
        .containsExactly("java.lang.AssertionError", "java.lang.StackOverflowError",
            "java.lang.ExceptionInInitializerError");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.processElement(
        RawRecord.of(Topics.EVENTS_JFR, 0, 4L, 0L, null, new byte[] {4}), 0))
        .isInstanceOf(OutOfMemoryError.class);
  }
}
