package io.memfleet.pipeline.decode;

import io.memfleet.event.DeadLetter;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.schema.codec.EventDecodeException;
import java.nio.ByteBuffer;

/**
 * Builds {@link DeadLetter} records: where a record came from, its original bytes, and why and
 * where the pipeline rejected it.
 *
 * <pre>{@code
 * ctx.output(DecodeFunction.DEAD_LETTERS, DeadLetters.of(raw, e, "decode", nowMs));
 * }</pre>
 */
public final class DeadLetters {
  /** Stage name of records rejected while decoding. */
  public static final String STAGE_DECODE = "decode";

  private DeadLetters() {}

  /** A dead letter for a failure with an exception; the reason names a decode reason if any. */
  public static DeadLetter of(RawRecord raw, Throwable error, String stage, long nowMs) {
    String reason = error instanceof EventDecodeException
        ? error.getMessage()
        : error.getClass().getSimpleName() + ": " + error.getMessage();
    return of(raw, reason, error.getClass().getName(), stage, nowMs);
  }

  /** A dead letter with an explicit reason and error type (for checks that throw nothing). */
  public static DeadLetter of(
      RawRecord raw, String reason, String errorType, String stage, long nowMs) {
    return DeadLetter.newBuilder()
        .setTopic(raw.topic == null ? "" : raw.topic)
        .setPartition(raw.partition)
        .setOffset(raw.offset)
        .setKey(raw.key == null ? null : ByteBuffer.wrap(raw.key))
        .setValue(raw.value == null ? null : ByteBuffer.wrap(raw.value))
        .setReason(reason == null ? "" : reason)
        .setErrorType(errorType)
        .setStage(stage)
        .setFailedAtMs(nowMs)
        .build();
  }
}
