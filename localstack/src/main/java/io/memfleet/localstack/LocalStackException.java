package io.memfleet.localstack;

/** The local stack could not start or reach one of its servers; the message says why and what to do. */
public class LocalStackException extends RuntimeException {
  public LocalStackException(String message) {
    super(message);
  }

  public LocalStackException(String message, Throwable cause) {
    super(message, cause);
  }
}
