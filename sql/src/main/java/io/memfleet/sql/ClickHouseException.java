package io.memfleet.sql;

/** A statement failed on the server or the server could not be reached; the message carries both. */
public class ClickHouseException extends Exception {
  public ClickHouseException(String message) {
    super(message);
  }

  public ClickHouseException(String message, Throwable cause) {
    super(message, cause);
  }

  static ClickHouseException from(String sql, Throwable e) {
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
    Throwable cause = ClickHouseConnection.unwrap(e);
    String what = ClickHouseConnection.isTimeout(cause) ? "timed out" : String.valueOf(cause.getMessage());
    return new ClickHouseException(what + " — statement: " + abbreviate(sql), cause);
  }

  static String abbreviate(String sql) {
    String oneLine = sql.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
  }
}
