package io.memfleet.pipeline.aggregate;

import org.apache.flink.api.common.functions.AggregateFunction;

/** Merges the 10-second accumulators of a minute into the minute's ({@link ProcessWindows}). */
final class PartialWindowMerge
    implements AggregateFunction<PartialWindow, ProcessWindowAccumulator, ProcessWindowAccumulator> {
  private static final long serialVersionUID = 1L;

  @Override
  public ProcessWindowAccumulator createAccumulator() {
    return new ProcessWindowAccumulator();
  }

  @Override
  public ProcessWindowAccumulator add(PartialWindow partial, ProcessWindowAccumulator acc) {
    return acc.merge(partial.accumulator);
  }

  @Override
  public ProcessWindowAccumulator getResult(ProcessWindowAccumulator acc) {
    return acc;
  }

  @Override
  public ProcessWindowAccumulator merge(ProcessWindowAccumulator a, ProcessWindowAccumulator b) {
    return a.merge(b);
  }
}
