package io.memfleet.pipeline.aggregate;

import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.pipeline.model.ProcessScopedKey;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.codec.EventCodec;
import java.util.ArrayList;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Sums sampled allocation weight per (process, stack, kind, class) and keeps the newest
 * outstanding-bytes level of levels ({@link #isLevel}: OUTSTANDING, MAPPED, FAULTED_IN).
 */
public final class AllocationWindowAggregate
    implements AggregateFunction<TimedEvent, AllocationWindow, AllocationWindow> {
  private static final long serialVersionUID = 1L;
  private transient EventCodec codec;

  /**
   * The grouping key of an allocation sample: its process, then stack hash, kind and class — a
   * key that stays in its process's key group (the windows read the join's output unshuffled).
   */
  public static ProcessScopedKey key(TimedEvent e, Allocation a) {
    return new ProcessScopedKey(e.processId(), (a.getStack() == null ? 0L
        : a.getStack().getHash()) + "/" + a.getKind() + "/"
        + (a.getObjectClass() == null ? "" : a.getObjectClass()));
  }

  /**
   * Whether allocations of this kind are levels a stack holds (OUTSTANDING, and the eBPF
   * collector's MAPPED and FAULTED_IN) or a class holds (a JVM's class histogram,
   * JAVA_HEAP_CLASS), not allocations to sum into a rate.
   */
  public static boolean isLevel(AllocationKind kind) {
    return kind == AllocationKind.OUTSTANDING || kind == AllocationKind.MAPPED
        || kind == AllocationKind.FAULTED_IN || kind == AllocationKind.JAVA_HEAP_CLASS;
  }

  @Override
  public AllocationWindow createAccumulator() {
    return new AllocationWindow();
  }

  @Override
  public AllocationWindow add(TimedEvent e, AllocationWindow w) {
    if (codec == null) {
      codec = EventCodec.fromClasspath();
    }
    Allocation a = (Allocation) e.record(codec);
    if (w.samples == 0) {
      w.cluster = e.cluster;
      w.node = e.node;
      w.service = e.service;
      w.pod = e.pod;
      w.pid = e.pid;
      w.processStartTimeMs = e.processStartTimeMs;
      w.runtime = e.runtime == null ? "" : e.runtime.name();
      w.kind = a.getKind().name();
      w.objectClass = a.getObjectClass() == null ? "" : a.getObjectClass();
      if (a.getStack() != null) {
        w.stackHash = a.getStack().getHash();
        w.frames = new ArrayList<>(a.getStack().getFrames());
      }
    }
    w.samples++;
    if (isLevel(a.getKind())) {
      if (e.utcNs >= w.outstandingUtcNs && a.getOutstandingBytes() != null) {
        w.outstandingBytes = a.getOutstandingBytes();
        w.outstandingUtcNs = e.utcNs;
      }
    } else {
      w.sampledBytes += a.getWeightBytes();
    }
    return w;
  }

  @Override
  public AllocationWindow getResult(AllocationWindow w) {
    return w;
  }

  @Override
  public AllocationWindow merge(AllocationWindow a, AllocationWindow b) {
    if (a.samples == 0) {
      return b;
    }
    a.samples += b.samples;
    a.sampledBytes += b.sampledBytes;
    if (b.outstandingUtcNs > a.outstandingUtcNs) {
      a.outstandingBytes = b.outstandingBytes;
      a.outstandingUtcNs = b.outstandingUtcNs;
    }
    return a;
  }
}
