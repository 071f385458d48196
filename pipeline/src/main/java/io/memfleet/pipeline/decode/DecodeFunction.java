package io.memfleet.pipeline.decode;

import io.memfleet.event.ClockSync;
import io.memfleet.event.DeadLetter;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.time.ClockSample;
import io.memfleet.schema.codec.EventCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes Kafka records with the memfleet codec: events to the main output (not yet on the UTC
 * timeline), {@code ClockSync} samples to {@link #CLOCK_SAMPLES}, and everything that cannot be
 * used to {@link #DEAD_LETTERS} with the reason, the error type, the original bytes and
 * topic/partition/offset. Nothing here throws, so a bad record never stops the job.
 *
 * <p>Records are routed by type, not by topic: a ClockSync found on an event topic still
 * calibrates. Dead-lettered: undecodable bytes (the codec's reason), null values, records that
 * are not events (an Alert on an event topic), clock samples that cannot calibrate anything.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<TimedEvent> events = raw.process(new DecodeFunction());
 * DataStream<ClockSample> clock = events.getSideOutput(DecodeFunction.CLOCK_SAMPLES);
 * DataStream<DeadLetter> bad = events.getSideOutput(DecodeFunction.DEAD_LETTERS);
 * }</pre>
 */
public class DecodeFunction extends ProcessFunction<RawRecord, TimedEvent> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<ClockSample> CLOCK_SAMPLES =
      new OutputTag<>("clock-samples", TypeInformation.of(ClockSample.class));
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

  private transient EventCodec codec;
  private transient Counter decoded;
  private transient Counter deadLettered;

  @Override
  public void open(OpenContext openContext) {
    codec = EventCodec.fromClasspath();
    decoded = getRuntimeContext().getMetricGroup().counter("recordsDecoded");
    deadLettered = getRuntimeContext().getMetricGroup().counter("recordsDeadLettered");
  }

  @Override
  public void processElement(RawRecord raw, Context ctx, Collector<TimedEvent> out) {
    long now = System.currentTimeMillis();
    if (raw.value == null) {
      deadLetter(ctx, DeadLetters.of(raw, "NULL_VALUE: record has no value (tombstone)",
          "NullValue", DeadLetters.STAGE_DECODE, now));
      return;
    }
    try {
      SpecificRecord record = codec.decode(raw.value);
      if (record instanceof ClockSync) {
        ClockSample sample = ClockSample.of((ClockSync) record);
        String problem = sample.problem();
        if (problem != null) {
          deadLetter(ctx, DeadLetters.of(raw, "INVALID_CLOCK_SAMPLE: " + problem,
              "InvalidClockSample", DeadLetters.STAGE_DECODE, now));
          return;
        }
        ctx.output(CLOCK_SAMPLES, sample);
      } else {
        out.collect(EventExtractor.extract(raw, record));
      }
      decoded.inc();
    } catch (RuntimeException e) {
      deadLetter(ctx, DeadLetters.of(raw, e, DeadLetters.STAGE_DECODE, now));
    }
  }

  private void deadLetter(Context ctx, DeadLetter letter) {
    deadLettered.inc();
    ctx.output(DEAD_LETTERS, letter);
  }
}
