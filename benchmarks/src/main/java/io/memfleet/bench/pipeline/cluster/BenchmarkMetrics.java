package io.memfleet.bench.pipeline.cluster;

import java.time.Instant;

/**
 * Names of the metrics the benchmark job's sinks register, shared by the job (which writes them)
 * and the harness (which reads them over REST). Each is registered under the group
 * {@value #GROUP} of a sink writer's operator, so its REST id is
 * {@code <subtask>.<operator>.memfleetBench.<name>}.
 */
public final class BenchmarkMetrics {
  /** The metric group of every benchmark metric. */
  public static final String GROUP = "memfleetBench";
  /** Counter: events with a payload (read from Kafka) at the event sink. */
  public static final String EVENTS = "events";
  /** Counter: derived events (the join's native-memory points) at the event sink. */
  public static final String DERIVED = "derived";
  /** Counter: events at the event sink whose time is calibrated. */
  public static final String CALIBRATED = "calibrated";
  /** Counter: events at the event sink whose time came from a fitted clock model. */
  public static final String CLOCK_MODEL = "clockModel";
  /** Gauge: when the subtask's first record arrived, epoch microseconds; 0 before. */
  public static final String FIRST_ARRIVAL_MICROS = "firstArrivalMicros";
  /** Gauge: when the subtask's last event (not derived) arrived, epoch microseconds; 0 before. */
  public static final String LAST_EVENT_MICROS = "lastEventMicros";
  /** Subgroup of the per-output counters: {@code output.<name>.rows} and {@code .bytes}. */
  public static final String OUTPUT = "output";
  public static final String ROWS = "rows";
  public static final String BYTES = "bytes";

  private BenchmarkMetrics() {}

  /**
   * Now, in epoch microseconds: comparable between the processes of one machine (and between
   * machines as far as their clocks agree), unlike {@link System#nanoTime()}.
   */
  public static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
