package io.memfleet.schema.codec;

/**
 * Bytes could not be decoded into a memfleet record. Unchecked, because the caller (the
 * pipeline's decode stage) catches it in one place and dead-letters the record with {@link
 * #reason()} and the message.
 */
public class EventDecodeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why decoding failed, coarse enough to count and alert on. */
  public enum Reason {
    /** Fewer bytes than the header needs, or the body ends early. */
    TRUNCATED,
    /** The bytes do not start with the single-object marker 0xC3 0x01: foreign data. */
    NOT_SINGLE_OBJECT_ENCODING,
    /** The schema fingerprint is in no known release: a foreign schema or a newer writer. */
    UNKNOWN_FINGERPRINT,
    /** The writer schema is known but this reader has no class for its record name. */
    UNKNOWN_RECORD_TYPE,
    /**
     * A string, bytes, array or map in the body claims more bytes or items than are left in the
     * record: a corrupt length or a cut-off body. Refused before anything is allocated.
     */
    LENGTH_EXCEEDS_INPUT,
    /** The header is fine but the body does not decode with the writer schema. */
    MALFORMED_BODY,
    /** Decoding worked but produced a different record type than the caller asked for. */
    TYPE_MISMATCH
  }

  private final Reason reason;
  private final String detail;

  public EventDecodeException(Reason reason, String message) {
    this(reason, message, null);
  }

  public EventDecodeException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
    this.detail = message;
  }

  public Reason reason() {
    return reason;
  }

  /** The message without the reason in front. */
  public String detail() {
    return detail;
  }
}
