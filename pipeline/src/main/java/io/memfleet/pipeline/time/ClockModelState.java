package io.memfleet.pipeline.time;

/**
 * The checkpointed state of one {@link ClockModel}: the sample window of the current segment
 * (since the last step or reboot) and the fits. Primitive arrays and nested POJOs only, so Flink's
 * POJO serializer handles it with schema evolution and without Kryo. Only {@link ClockModel}
 * changes it.
 */
public class ClockModelState {
  public String bootId;
  public double nominalNsPerUnit;
  /** Raw domain readings of the window, in arrival order. */
  public long[] x = new long[0];
  /** CLOCK_REALTIME nanoseconds paired with each reading. */
  public long[] y = new long[0];
  /** Bracket width of each reading. */
  public long[] u = new long[0];
  /** Fit of the current segment; null before the first sample. */
  public ClockFit current;
  /** Fit before the last step, used for raw values before {@link #segmentStartX}. */
  public ClockFit previous;
  public long segmentStartX = Long.MIN_VALUE;
  /** Size of the last step, added to the bound between the old fit's end and the step. */
  public long lastStepNs;
  public int steps;
  public int reboots;

  public ClockModelState() {}
}
