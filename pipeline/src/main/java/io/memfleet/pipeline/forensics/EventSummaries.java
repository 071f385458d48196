package io.memfleet.pipeline.forensics;

import io.memfleet.event.Allocation;
import io.memfleet.event.Free;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.OomKill;
import io.memfleet.event.PageFault;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.StackTrace;
import io.memfleet.event.ThreadCount;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecord;

/**
 * One-line renderings of events for OOM snapshots, e.g. {@code "rss 251.3 MiB, cgroup 255.9 /
 * 256.0 MiB"} — what a person scanning the last seconds before a kill wants to read.
 */
public final class EventSummaries {
  private EventSummaries() {}

  public static String oneLine(SpecificRecord r) {
    if (r instanceof ResidentMemory) {
      ResidentMemory m = (ResidentMemory) r;
      return "rss " + mib(m.getRssBytes())
          + (m.getCgroupUsageBytes() == null ? "" : ", cgroup " + mib(m.getCgroupUsageBytes())
          + (m.getCgroupLimitBytes() == null ? "" : " / " + mib(m.getCgroupLimitBytes())));
    } else if (r instanceof HeapSummary) {
      HeapSummary h = (HeapSummary) r;
      return "heap " + h.getPhase() + " used " + mib(h.getUsedBytes()) + " committed "
          + mib(h.getCommittedBytes())
          + (h.getMaxBytes() == null ? "" : " max " + mib(h.getMaxBytes()));
    } else if (r instanceof GcCycle) {
      GcCycle g = (GcCycle) r;
      return "gc #" + g.getGcId() + " " + g.getCollectorName() + " " + g.getGeneration() + " "
          + mib(g.getHeapBeforeBytes()) + " -> " + mib(g.getHeapAfterBytes()) + " in "
          + ms(g.getDurationNs());
    } else if (r instanceof GcPause) {
      GcPause p = (GcPause) r;
      return "pause " + (p.getPhase() == null ? "" : p.getPhase() + " ") + ms(p.getDurationNs());
    } else if (r instanceof Allocation) {
      Allocation a = (Allocation) r;
      return a.getKind() + " " + (a.getOutstandingBytes() != null
          ? "outstanding " + mib(a.getOutstandingBytes()) : a.getSizeBytes() + " B")
          + (a.getObjectClass() == null ? "" : " " + a.getObjectClass()) + top(a.getStack());
    } else if (r instanceof Free) {
      Free f = (Free) r;
      return "free 0x" + Long.toHexString(f.getAddress())
          + (f.getSizeBytes() == null ? "" : " " + f.getSizeBytes() + " B");
    } else if (r instanceof MemoryMapping) {
      MemoryMapping m = (MemoryMapping) r;
      return m.getOp() + " " + mib(m.getLengthBytes())
          + (m.getOutstandingBytes() == null ? "" : ", mapped " + mib(m.getOutstandingBytes()))
          + top(m.getStack());
    } else if (r instanceof PageFault) {
      PageFault p = (PageFault) r;
      return (p.getMajor() ? "major" : "minor") + " faults x" + p.getCount() + top(p.getStack());
    } else if (r instanceof ThreadCount) {
      ThreadCount t = (ThreadCount) r;
      return t.getKind() + " " + t.getCount();
    } else if (r instanceof OomKill) {
      OomKill k = (OomKill) r;
      return "OOM kill of " + k.getVictimComm() + " (" + k.getDetectedBy() + ")"
          + (k.getRssBytesAtKill() == null ? "" : " rss " + mib(k.getRssBytesAtKill()))
          + (k.getCgroupLimitBytes() == null ? "" : " limit " + mib(k.getCgroupLimitBytes()));
    } else if (r instanceof ProcessLifecycle) {
      ProcessLifecycle p = (ProcessLifecycle) r;
      return "process " + p.getPhase() + (p.getOomKilled() ? " (OOM killed)" : "");
    }
    return r.getSchema().getName();
  }

  private static String top(StackTrace s) {
    return s == null || s.getFrames().isEmpty() ? "" : " at " + s.getFrames().get(0);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static String ms(long ns) {
    return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
  }
}
