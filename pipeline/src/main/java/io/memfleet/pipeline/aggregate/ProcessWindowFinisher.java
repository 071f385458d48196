package io.memfleet.pipeline.aggregate;

import io.memfleet.pipeline.model.ProcessId;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns a closed window's accumulator into a {@link ProcessWindow} row with the process identity;
 * with a {@code partials} tag, also hands the accumulator on there as a {@link PartialWindow}
 * (the 10-second windows, for the minutes built from them).
 */
public final class ProcessWindowFinisher
    extends ProcessWindowFunction<ProcessWindowAccumulator, ProcessWindow, ProcessId, TimeWindow> {
  private static final long serialVersionUID = 1L;
  private final OutputTag<PartialWindow> partials;

  public ProcessWindowFinisher() {
    this(null);
  }

  ProcessWindowFinisher(OutputTag<PartialWindow> partials) {
    this.partials = partials;
  }

  @Override
  public void process(ProcessId key, Context context, Iterable<ProcessWindowAccumulator> elements,
      Collector<ProcessWindow> out) {
    ProcessWindowAccumulator acc = elements.iterator().next();
    if (partials != null) {
      context.output(partials, new PartialWindow(key, acc));
    }
    ProcessWindow w = new ProcessWindow();
    w.windowStartMs = context.window().getStart();
    w.windowEndMs = context.window().getEnd();
    w.cluster = key.cluster;
    w.node = key.node;
    w.pid = key.pid;
    w.processStartTimeMs = key.startMs;
    w.service = acc.service;
    w.namespace = acc.namespace;
    w.pod = acc.pod;
    w.container = acc.container;
    w.comm = acc.comm;
    w.runtime = acc.runtime;
    w.rssMax = acc.rssMax;
    w.rssAvg = acc.rssCount == 0 ? 0 : (double) acc.rssSum / acc.rssCount;
    w.rssLast = acc.rssLast;
    w.managedUsedMax = acc.managedUsedMax;
    w.managedCommittedMax = acc.managedCommittedMax;
    w.managedLimit = acc.managedLimit;
    w.heapAfterGcMin = acc.heapAfterGcMin == Long.MAX_VALUE ? 0 : acc.heapAfterGcMin;
    w.nativeMax = acc.nativeMax == Long.MIN_VALUE ? 0 : acc.nativeMax;
    w.nativeLast = acc.nativeLast;
    w.cgroupUsageMax = acc.cgroupUsageMax;
    w.cgroupLimit = acc.cgroupLimit;
    w.threadsMax = acc.threadsMax;
    w.goroutinesMax = acc.goroutinesMax;
    w.gcCount = acc.gcCount;
    w.gcPauseTotalNs = acc.gcPauseTotalNs;
    w.gcPauseP50Ns = acc.pausePercentile(0.50);
    w.gcPauseP99Ns = acc.pausePercentile(0.99);
    w.gcPauseMaxNs = acc.gcPauseMaxNs;
    w.gcCpuFraction = acc.gcCpuFraction;
    w.allocBytes = acc.allocBytes;
    w.samples = acc.samples;
    for (BreakdownMeasure m : BreakdownMeasure.values()) {
      w.breakdown[m.ordinal()] = acc.latest(m);
    }
    w.liveSet = acc.liveSetMin == Long.MAX_VALUE ? 0 : acc.liveSetMin;
    w.nativeOther = acc.nativeOther();
    out.collect(w);
  }
}
