package io.memfleet.pipeline.aggregate;

/**
 * A closed 10-second window's accumulator with the process it belongs to: what the 1-minute
 * windows are built from ({@link ProcessWindows#of}), so a minute costs six merges instead of
 * folding every event a second time. A Flink POJO.
 */
public class PartialWindow {
  /** {@code TimedEvent.processKey()} of the process. */
  public String processKey;
  public ProcessWindowAccumulator accumulator;

  public PartialWindow() {}

  PartialWindow(String processKey, ProcessWindowAccumulator accumulator) {
    this.processKey = processKey;
    this.accumulator = accumulator;
  }
}
