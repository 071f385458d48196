package io.memfleet.pipeline.aggregate;

import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.schema.codec.EventCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Folds one process's events of a window into a {@link ProcessWindowAccumulator}: RSS and cgroup
 * usage from {@code ResidentMemory}, managed heap from {@code HeapSummary}, live set from
 * after-GC summaries and {@code GcCycle}, native memory from the join's {@code NativeMemory}
 * events, pauses from {@code GcPause}, threads and goroutines from {@code ThreadCount}, sampled
 * allocation volume from {@code Allocation} samples (not the OUTSTANDING totals, which are levels).
 */
public final class ProcessWindowAggregate
    implements AggregateFunction<TimedEvent, ProcessWindowAccumulator, ProcessWindowAccumulator> {
  private static final long serialVersionUID = 1L;
  private transient EventCodec codec;

  @Override
  public ProcessWindowAccumulator createAccumulator() {
    return new ProcessWindowAccumulator();
  }

  @Override
  public ProcessWindowAccumulator add(TimedEvent e, ProcessWindowAccumulator acc) {
    acc.samples++;
    rememberIdentity(e, acc);
    if (TimedEvent.NATIVE_MEMORY_KIND.equals(e.kind)) {
      if (e.nativeBytes != null) {
        acc.nativeMax = Math.max(acc.nativeMax, e.nativeBytes);
        if (e.utcNs >= acc.nativeLastUtcNs) {
          acc.nativeLast = e.nativeBytes;
          acc.nativeLastUtcNs = e.utcNs;
        }
      }
      return acc;
    }
    SpecificRecord record = e.payload == null ? null : e.record(codec());
    if (record instanceof ResidentMemory r) {
      acc.rssMax = Math.max(acc.rssMax, r.getRssBytes());
      acc.rssSum += r.getRssBytes();
      acc.rssCount++;
      if (e.utcNs >= acc.rssLastUtcNs) {
        acc.rssLast = r.getRssBytes();
        acc.rssLastUtcNs = e.utcNs;
      }
      if (r.getCgroupUsageBytes() != null) {
        acc.cgroupUsageMax = Math.max(acc.cgroupUsageMax, r.getCgroupUsageBytes());
      }
      if (r.getCgroupLimitBytes() != null) {
        acc.cgroupLimit = Math.max(acc.cgroupLimit, r.getCgroupLimitBytes());
      }
    } else if (record instanceof HeapSummary h) {
      acc.managedUsedMax = Math.max(acc.managedUsedMax, h.getUsedBytes());
      acc.managedCommittedMax = Math.max(acc.managedCommittedMax, h.getCommittedBytes());
      if (h.getMaxBytes() != null) {
        acc.managedLimit = Math.max(acc.managedLimit, h.getMaxBytes());
      }
      if (h.getPhase() == HeapPhase.AFTER_GC) {
        acc.heapAfterGcMin = Math.min(acc.heapAfterGcMin, h.getUsedBytes());
      }
    } else if (record instanceof GcCycle c) {
      acc.gcCount++;
      acc.heapAfterGcMin = Math.min(acc.heapAfterGcMin, c.getHeapAfterBytes());
      if (c.getGcCpuFraction() != null) {
        acc.gcCpuFraction = Math.max(acc.gcCpuFraction, c.getGcCpuFraction());
      }
    } else if (record instanceof GcPause p) {
      acc.addPause(p.getDurationNs());
    } else if (record instanceof ThreadCount t) {
      if (t.getKind() == ThreadKind.GOROUTINES) {
        acc.goroutinesMax = Math.max(acc.goroutinesMax, t.getCount());
      } else {
        acc.threadsMax = Math.max(acc.threadsMax, t.getCount());
      }
    } else if (record instanceof Allocation a && a.getKind() != AllocationKind.OUTSTANDING) {
      acc.allocBytes += a.getWeightBytes();
    }
    return acc;
  }

  private static void rememberIdentity(TimedEvent e, ProcessWindowAccumulator acc) {
    acc.service = e.service != null ? e.service : acc.service;
    acc.namespace = e.namespace != null ? e.namespace : acc.namespace;
    acc.pod = e.pod != null ? e.pod : acc.pod;
    acc.container = e.container != null ? e.container : acc.container;
    acc.comm = e.comm != null ? e.comm : acc.comm;
    if (e.runtime != null && e.runtime != io.memfleet.event.Runtime.UNKNOWN) {
      acc.runtime = e.runtime;
    }
  }

  @Override
  public ProcessWindowAccumulator getResult(ProcessWindowAccumulator acc) {
    return acc;
  }

  @Override
  public ProcessWindowAccumulator merge(ProcessWindowAccumulator a, ProcessWindowAccumulator b) {
    return a.merge(b);
  }

  private EventCodec codec() {
    if (codec == null) {
      codec = EventCodec.fromClasspath();
    }
    return codec;
  }
}
