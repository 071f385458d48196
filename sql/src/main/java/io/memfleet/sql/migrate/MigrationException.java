package io.memfleet.sql.migrate;

/**
 * A migration could not be applied. Names the file, the statement (with its line) and the server's
 * error; nothing after the failing statement was applied.
 */
public class MigrationException extends Exception {
  public MigrationException(String message, Throwable cause) {
    super(message, cause);
  }

  public MigrationException(String message) {
    super(message);
  }
}
