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
 * <p>Every failure while handling a record is a dead letter: any exception, and any {@link Error}
 * but those that leave the JVM unusable ({@link VirtualMachineError} such as {@link
 * OutOfMemoryError}; those still fail the task). A {@link StackOverflowError} is the exception:
 * input can cause it and the stack is whole again once it unwinds. Rethrowing would restart the
 * task on the same record forever. Dead letters carry at most {@code maxPayload} bytes of the
 * original key and value ({@link DeadLetters}), so they fit the dead-letter topic.
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

  /** Default bound of key and value bytes in a dead letter (256 KiB). */
  public static final int DEFAULT_MAX_PAYLOAD = 256 * 1024;

  private final int maxPayload;
  private transient EventCodec codec;
  private transient Counter decoded;
  private transient Counter deadLettered;

  /** Dead letters carry at most {@link #DEFAULT_MAX_PAYLOAD} bytes of key and value. */
  public DecodeFunction() {
    this(DEFAULT_MAX_PAYLOAD);
  }

  /** Dead letters carry at most {@code maxPayload} bytes of key and value. */
  public DecodeFunction(int maxPayload) {
    if (maxPayload < 1024) {
      throw new IllegalArgumentException("maxPayload must be at least 1 KiB, got " + maxPayload);
    }
    this.maxPayload = maxPayload;
  }

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
          "NullValue", DeadLetters.STAGE_DECODE, now, maxPayload));
      return;
    }
    try {
      SpecificRecord record = decode(raw.value);
      if (record instanceof ClockSync) {
        ClockSample sample = ClockSample.of((ClockSync) record);
        String problem = sample.problem();
        if (problem != null) {
          deadLetter(ctx, DeadLetters.of(raw, "INVALID_CLOCK_SAMPLE: " + problem,
              "InvalidClockSample", DeadLetters.STAGE_DECODE, now, maxPayload));
          return;
        }
        ctx.output(CLOCK_SAMPLES, sample);
      } else {
        out.collect(EventExtractor.extract(raw, record));
      }
      decoded.inc();
    } catch (StackOverflowError e) {
      deadLetter(ctx, DeadLetters.of(raw, e, DeadLetters.STAGE_DECODE, now, maxPayload));
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Exception | Error e) {
      deadLetter(ctx, DeadLetters.of(raw, e, DeadLetters.STAGE_DECODE, now, maxPayload));
    }
  }

  /** The codec's decode; a seam for tests that need a decoder failing in other ways. */
  SpecificRecord decode(byte[] value) {
    return codec.decode(value);
  }

  private void deadLetter(Context ctx, DeadLetter letter) {
    deadLettered.inc();
    ctx.output(DEAD_LETTERS, letter);
  }
}
