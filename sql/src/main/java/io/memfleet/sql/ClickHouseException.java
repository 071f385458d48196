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

  /**
   * The engine refused {@code sql} with {@code error} (its own text, e.g. {@code Code: 62. DB::…});
   * for endpoints whose errors arrive as text rather than as a client exception.
   */
  public static ClickHouseException forStatement(String sql, String error) {
    return new ClickHouseException(error + " — statement: " + abbreviate(sql));
  }

  static String abbreviate(String sql) {
    String oneLine = sql.strip().replaceAll("\\s+", " ");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
  }
}
