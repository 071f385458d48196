package io.memfleet.pipeline.clickhouse;

import io.memfleet.event.Alert;
import io.memfleet.event.Evidence;
import io.memfleet.event.GcPause;
import io.memfleet.event.OomSnapshot;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.SnapshotEvent;
import io.memfleet.pipeline.aggregate.AllocationWindow;
import io.memfleet.pipeline.aggregate.BreakdownMeasure;
import io.memfleet.pipeline.aggregate.LateEvent;
import io.memfleet.pipeline.aggregate.ProcessWindow;
import io.memfleet.pipeline.model.TimedEvent;
import io.memfleet.pipeline.time.ClockCalibration;
import io.memfleet.schema.codec.EventCodec;
import java.util.List;

/**
 * The row encoders of memfleet's tables (columns as in {@code sql/migrations}), one static method
 * per table so that sinks take them as method references.
 */
public final class Rows {
  private static final ThreadLocal<EventCodec> CODEC =
      ThreadLocal.withInitial(EventCodec::fromClasspath);

  private Rows() {}

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** {@code process_memory_10s} and {@code process_memory_1m}. */
  public static String processWindow(ProcessWindow w) {
    JsonRow row = JsonRow.create()
        .putDateTime("window_start", w.windowStartMs)
        .putDateTime("window_end", w.windowEndMs)
        .put("cluster", w.cluster).put("node", w.node).put("service", w.service)
        .put("namespace", w.namespace).put("pod", w.pod).put("container", w.container)
        .put("pid", w.pid).put("process_start_ms", w.processStartTimeMs)
        .put("comm", w.comm).put("runtime", w.runtime == null ? "" : w.runtime.name())
        .put("rss_max", w.rssMax).put("rss_avg", w.rssAvg).put("rss_last", w.rssLast)
        .put("managed_used_max", w.managedUsedMax)
        .put("managed_committed_max", w.managedCommittedMax)
        .put("managed_limit", w.managedLimit).put("heap_after_gc_min", w.heapAfterGcMin)
        .put("native_max", w.nativeMax).put("native_last", w.nativeLast)
        .put("cgroup_usage_max", w.cgroupUsageMax).put("cgroup_limit", w.cgroupLimit)
        .put("threads_max", w.threadsMax).put("goroutines_max", w.goroutinesMax)
        .put("gc_count", w.gcCount).put("gc_pause_total_ns", w.gcPauseTotalNs)
        .put("gc_pause_p50_ns", w.gcPauseP50Ns).put("gc_pause_p99_ns", w.gcPauseP99Ns)
        .put("gc_pause_max_ns", w.gcPauseMaxNs).put("gc_cpu_fraction", w.gcCpuFraction)
        .put("alloc_bytes", w.allocBytes).put("samples", w.samples);
    for (BreakdownMeasure m : BreakdownMeasure.values()) {
      row.put(m.column(), w.breakdown(m));
    }
    return row.put("live_set", w.liveSet).put("native_other", w.nativeOther).toString();
  }

  /** {@code gc_pauses}, from a {@code GcPause} event. */
  public static String gcPause(TimedEvent e) {
    GcPause p = (GcPause) e.record(CODEC.get());
    return JsonRow.create()
        .put("utc_ns", e.utcNs).putDateTime("event_time", e.eventTimeMs())
        .put("cluster", e.cluster).put("node", e.node).put("service", e.service)
        .put("pod", e.pod).put("pid", e.pid).put("process_start_ms", e.processStartTimeMs)
        .put("runtime", e.runtime == null ? "" : e.runtime.name())
        .put("source", e.source == null ? "" : e.source.name())
        .put("gc_id", p.getGcId() == null ? -1 : p.getGcId())
        .put("collector_name", "").put("phase", nz(p.getPhase()))
        .put("duration_ns", p.getDurationNs())
        .toString();
  }

  /** {@code events_raw}: every event with its main measure and the full record as text. */
  public static String rawEvent(TimedEvent e) {
    EventCodec codec = CODEC.get();
    var record = e.record(codec);
    // written from its Avro binary when that is the record's own schema's (not an older one's)
    byte[] binary = record != null && codec.writtenWith(e.payload, record)
        ? e.payload : null;
    if (binary != null) {
      String row = RawEventRow.ascii(e, record.getSchema(), binary, mainValue(e));
      if (row != null) {
        return row;
      }
    }
    return rawEvent(e, record, binary);
  }

  /**
   * {@link #rawEvent(TimedEvent)} with {@link JsonRow}, any text: the row {@link RawEventRow}
   * writes for an event all in ASCII.
   */
  static String rawEvent(TimedEvent e, org.apache.avro.specific.SpecificRecord record,
      byte[] binary) {
    // the record's JSON text, escaped once more, takes about 3-5 characters per byte of Avro
    return JsonRow.create(320 + (e.payload == null ? 0 : 5 * e.payload.length))
        .putDate("event_date", e.eventTimeMs())
        .put("utc_ns", e.utcNs).put("error_bound_ns", e.errorBoundNs)
        .put("cluster", e.cluster).put("node", e.node).put("service", e.service)
        .put("pod", e.pod).put("container", e.container).put("pid", e.pid)
        .put("process_start_ms", e.processStartTimeMs).put("comm", e.comm)
        .put("runtime", e.runtime == null ? "" : e.runtime.name())
        .put("source", e.source == null ? "" : e.source.name()).put("kind", e.kind)
        .put("sequence", e.sequence).put("value", mainValue(e))
        .putAvro("payload", record, binary, EventCodec.BODY_OFFSET)
        .toString();
  }

  /** {@code late_events}: an event that came after its aggregate window had closed. */
  public static String lateEvent(LateEvent late) {
    TimedEvent e = late.event;
    return JsonRow.create()
        .putDateTime("event_time", e.eventTimeMs()).put("utc_ns", e.utcNs)
        .putDateTime("detected_at", late.detectedAtMs).put("aggregate", late.aggregate)
        .put("cluster", e.cluster).put("node", e.node).put("service", e.service)
        .put("pod", e.pod).put("pid", e.pid).put("process_start_ms", e.processStartTimeMs)
        .put("comm", e.comm).put("runtime", e.runtime == null ? "" : e.runtime.name())
        .put("source", e.source == null ? "" : e.source.name()).put("kind", e.kind)
        .put("sequence", e.sequence).put("value", mainValue(e))
        .toString();
  }

  private static double mainValue(TimedEvent e) {
    if (e.nativeBytes != null) {
      return e.nativeBytes;
    }
    if (e.rssBytes != null) {
      return e.rssBytes;
    }
    if (e.heapUsedBytes != null) {
      return e.heapUsedBytes;
    }
    return 0;
  }

  /** {@code clock_calibration}: one host clock model after a sample (see ClockCalibration). */
  public static String clockCalibration(ClockCalibration c) {
    return JsonRow.create()
        .put("utc_ns", c.utcNs).putDateTime("event_time", c.utcMs())
        .put("cluster", c.cluster).put("node", c.node).put("boot_id", c.bootId)
        .put("clock_domain", c.clockDomain).put("offset_ns", c.offsetNs)
        .put("drift_ppb", c.driftPpb).put("error_bound_ns", c.errorBoundNs)
        .put("samples", c.samples)
        .toString();
  }

  /** {@code allocations_1m}. */
  public static String allocationWindow(AllocationWindow w) {
    return JsonRow.create()
        .putDateTime("window_start", w.windowStartMs)
        .put("cluster", w.cluster).put("node", w.node).put("service", w.service)
        .put("pod", w.pod).put("pid", w.pid).put("process_start_ms", w.processStartTimeMs)
        .put("runtime", w.runtime).put("kind", w.kind).put("stack_hash", w.stackHash)
        .put("object_class", w.objectClass).put("sampled_bytes", w.sampledBytes)
        .put("samples", w.samples).put("outstanding_bytes", w.outstandingBytes)
        .toString();
  }

  /** {@code allocation_stacks}: the frames of a stack seen in a window. */
  public static String allocationStack(AllocationWindow w) {
    return JsonRow.create()
        .put("stack_hash", w.stackHash).put("frames", w.frames)
        .put("top_frame", w.frames.isEmpty() ? "" : w.frames.get(0))
        .put("runtime", w.runtime).put("object_class", w.objectClass)
        .putDateTime("first_seen", w.windowStartMs).putDateTime("last_seen", w.windowStartMs)
        .toString();
  }

  /** {@code alerts}: one row per alert version (the newest updated_at wins). */
  public static String alert(Alert a) {
    ProcessIdentity p = a.getProcess();
    return JsonRow.create()
        .put("alert_id", a.getAlertId()).put("fingerprint", a.getFingerprint())
        .put("rule", a.getRule()).put("severity", a.getSeverity().name())
        .put("status", a.getStatus().name())
        .put("cluster", p.getCluster()).put("node", p.getNode()).put("service", nz(p.getService()))
        .put("pod", nz(p.getPod())).put("pid", p.getPid())
        .put("process_start_ms", p.getProcessStartTimeMs())
        .put("first_seen_utc_ns", a.getFirstSeenUtcNs()).put("last_seen_utc_ns", a.getLastSeenUtcNs())
        .put("growth_bytes_per_sec", a.getGrowthBytesPerSecond() == null ? 0
            : a.getGrowthBytesPerSecond())
        .put("time_to_oom_sec", a.getTimeToOomSeconds() == null ? 0 : a.getTimeToOomSeconds())
        .put("summary", a.getSummary())
        .put("top_stack", a.getTopStack() == null ? "" : String.join(" <- ", a.getTopStack().getFrames()))
        .put("object_class", nz(a.getObjectClass()))
        .put("evidence", evidence(a.getEvidence()))
        .put("pool", a.getPool() == null ? "" : a.getPool().name()).put("verdict", nz(a.getVerdict()))
        .putDateTime("updated_at", a.getLastSeenUtcNs() / 1_000_000L)
        .toString();
  }

  private static String evidence(List<Evidence> evidence) {
    StringBuilder json = new StringBuilder("[");
    for (Evidence e : evidence) {
      if (json.length() > 1) {
        json.append(',');
      }
      json.append(JsonRow.create().put("utc_ns", e.getUtcNs()).put("kind", e.getKind())
          .put("value", e.getValue()).put("unit", e.getUnit())
          .put("description", e.getDescription()));
    }
    return json.append(']').toString();
  }

  /** {@code oom_snapshots}: the snapshot with its events as a JSON array. */
  public static String oomSnapshot(OomSnapshot s) {
    ProcessIdentity p = s.getProcess();
    StringBuilder events = new StringBuilder("[");
    for (SnapshotEvent e : s.getEvents()) {
      if (events.length() > 1) {
        events.append(',');
      }
      events.append(JsonRow.create().put("utc_ns", e.getUtcNs())
          .put("error_bound_ns", e.getErrorBoundNs()).put("kind", e.getKind())
          .put("source", e.getSource().name()).put("summary", e.getSummary()));
    }
    events.append(']');
    var kill = s.getOomKill();
    return JsonRow.create()
        .put("snapshot_id", s.getSnapshotId()).put("kill_utc_ns", s.getKillUtcNs())
        .putDateTime("kill_time", s.getKillUtcNs() / 1_000_000L)
        .put("cluster", p.getCluster()).put("node", p.getNode()).put("service", nz(p.getService()))
        .put("namespace", nz(p.getNamespace())).put("pod", nz(p.getPod()))
        .put("container", nz(p.getContainer())).put("pid", p.getPid())
        .put("process_start_ms", p.getProcessStartTimeMs()).put("comm", p.getComm())
        .put("runtime", p.getRuntime().name()).put("detected_by", kill.getDetectedBy().name())
        .put("rss_at_kill", kill.getRssBytesAtKill() == null ? 0 : kill.getRssBytesAtKill())
        .put("cgroup_limit", kill.getCgroupLimitBytes() == null ? 0 : kill.getCgroupLimitBytes())
        .put("window_ns", s.getWindowNs()).put("event_count", s.getEvents().size())
        .put("summary", summary(s)).put("events", events.toString())
        .put("pool", s.getPool() == null ? "" : s.getPool().name()).put("verdict", nz(s.getVerdict()))
        .toString();
  }

  private static String summary(OomSnapshot s) {
    return s.getEvents().size() + " events in the last " + s.getWindowNs() / 1_000_000L
        + " ms before the kill of " + s.getProcess().getComm() + " (pid " + s.getProcess().getPid()
        + ")";
  }
}
