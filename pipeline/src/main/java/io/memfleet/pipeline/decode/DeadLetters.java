package io.memfleet.pipeline.decode;

import io.memfleet.event.DeadLetter;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.schema.codec.EventDecodeException;
import java.nio.ByteBuffer;

/**
 * Builds {@link DeadLetter} records: where a record came from, its original bytes, and why and
 * where the pipeline rejected it.
 *
 * <p>A dead letter always fits its topic: key and value are cut so that the dead letter's Kafka
 * record (whose key is the original key again) stays under {@code maxPayload} plus {@value
 * #OVERHEAD_BYTES} bytes. The key keeps at most a quarter of {@code maxPayload} (it appears twice)
 * and the value the rest; a cut letter has {@code truncated} set and the original sizes. The
 * reason keeps at most {@value #MAX_REASON_CHARS} characters. Without this, one record near the
 * source topic's size limit would make a dead letter over the dead-letter topic's limit, and the
 * failing sink would stop the job on the same record after every restart.
 *
 * <pre>{@code
 * ctx.output(DecodeFunction.DEAD_LETTERS,
 *     DeadLetters.of(raw, e, DeadLetters.STAGE_DECODE, nowMs, 256 * 1024));
 * }</pre>
 */
public final class DeadLetters {
  /** Stage name of records rejected while decoding. */
  public static final String STAGE_DECODE = "decode";

  /** Characters of the reason kept; exception messages can quote their whole input. */
  public static final int MAX_REASON_CHARS = 2048;

  /**
   * Bound of everything in a dead letter's Kafka record besides key and value: the reason (at
   * most {@value #MAX_REASON_CHARS} characters, 3 bytes each in UTF-8 at worst), topic, error type,
   * stage, numbers and Kafka's record framing.
   */
  public static final int OVERHEAD_BYTES = 8 * 1024;

  private static final int MAX_NAME_CHARS = 256;

  private DeadLetters() {}

  /** A dead letter for a failure with an exception; the reason names a decode reason if any. */
  public static DeadLetter of(
      RawRecord raw, Throwable error, String stage, long nowMs, int maxPayload) {
    String reason = error instanceof EventDecodeException
        ? error.getMessage()
        : error.getClass().getSimpleName() + ": " + error.getMessage();
    return of(raw, reason, error.getClass().getName(), stage, nowMs, maxPayload);
  }

  /** A dead letter with an explicit reason and error type (for checks that throw nothing). */
  public static DeadLetter of(RawRecord raw, String reason, String errorType, String stage,
      long nowMs, int maxPayload) {
    int keyLength = raw.key == null ? 0 : raw.key.length;
    int valueLength = raw.value == null ? 0 : raw.value.length;
    int keyKeep = Math.min(keyLength, maxPayload / 4);
    int valueKeep = Math.min(valueLength, maxPayload - 2 * keyKeep);
    boolean keyCut = keyKeep < keyLength;
    boolean valueCut = valueKeep < valueLength;
    return DeadLetter.newBuilder()
        .setTopic(cut(raw.topic == null ? "" : raw.topic, MAX_NAME_CHARS))
        .setPartition(raw.partition)
        .setOffset(raw.offset)
        .setKey(raw.key == null ? null : ByteBuffer.wrap(raw.key, 0, keyKeep).slice())
        .setValue(raw.value == null ? null : ByteBuffer.wrap(raw.value, 0, valueKeep).slice())
        .setReason(cut(reason == null ? "" : reason, MAX_REASON_CHARS))
        .setErrorType(cut(errorType, MAX_NAME_CHARS))
        .setStage(cut(stage, MAX_NAME_CHARS))
        .setFailedAtMs(nowMs)
        .setTruncated(keyCut || valueCut)
        .setOriginalKeyBytes(keyCut ? keyLength : null)
        .setOriginalValueBytes(valueCut ? valueLength : null)
        .build();
  }

  private static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 2)) ? max - 2 : max - 1;
    return s.substring(0, end) + "…";
  }
}
