package io.memfleet.pipeline.aggregate;

import io.memfleet.pipeline.model.ProcessId;

/**
 * A closed 10-second window's accumulator with the process it belongs to: what the 1-minute
 * windows are built from ({@link ProcessWindows#of}), so a minute costs six merges instead of
 * folding every event a second time. A Flink POJO.
 */
public class PartialWindow {
  /** The process. */
  public ProcessId process;
  public ProcessWindowAccumulator accumulator;

  public PartialWindow() {}

  PartialWindow(ProcessId process, ProcessWindowAccumulator accumulator) {
    this.process = process;
    this.accumulator = accumulator;
  }
}
