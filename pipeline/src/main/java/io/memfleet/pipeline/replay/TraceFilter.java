package io.memfleet.pipeline.replay;

import io.memfleet.event.EventHeader;
import io.memfleet.pipeline.model.RawRecord;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.EventDecodeException;
import io.memfleet.schema.codec.Events;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Copies the part of a trace that concerns some services: every event of their processes (by
 * record key, so the eBPF and JFR events that do not name the service come along) and every
 * clock sample (the pipeline needs the hosts' clocks to place them), so that hours of a few
 * processes recorded on a busy host replay in seconds. Says where each service's processes start
 * and end.
 *
 * <pre>{@code
 * Map<String, TraceFilter.Span> spans = TraceFilter.copy(in, out, Set.of("jvm-slow-heap-leak"));
 * }</pre>
 */
public final class TraceFilter {
  private TraceFilter() {}

  /** Where a service shows in a trace: its earliest process start, its first and last event. */
  public record Span(long processStartMs, long firstEventNs, long lastEventNs, long records) {}

  /**
   * Writes to {@code out} the records of {@code in} whose process declares one of
   * {@code services}, and every record of the clock topic; records that do not decode are left
   * out (the pipeline would dead-letter them).
   */
  public static Map<String, Span> copy(Path in, Path out, Set<String> services)
      throws IOException {
    EventCodec codec = EventCodec.fromClasspath();
    // first pass: the processes (record keys) of the services; collectors that cannot read a
    // process's environment (eBPF, JFR) publish its events without the service
    Map<String, String> serviceByKey = new java.util.HashMap<>();
    try (Trace.Reader r = Trace.reader(in)) {
      for (RawRecord x; (x = r.next()) != null; ) {
        if (Topics.CLOCK.equals(x.topic) || x.key == null) {
          continue;
        }
        EventHeader h = header(codec, x);
        String service = h == null ? null : h.getProcess().getService();
        if (service != null && services.contains(service)) {
          serviceByKey.putIfAbsent(new String(x.key, java.nio.charset.StandardCharsets.UTF_8),
              service);
        }
      }
    }
    Map<String, Span> spans = new LinkedHashMap<>();
    try (Trace.Reader r = Trace.reader(in); Trace.Writer w = Trace.writer(out)) {
      for (RawRecord x; (x = r.next()) != null; ) {
        if (Topics.CLOCK.equals(x.topic)) {
          w.write(x);
          continue;
        }
        String service = x.key == null ? null
            : serviceByKey.get(new String(x.key, java.nio.charset.StandardCharsets.UTF_8));
        if (service == null) {
          continue;
        }
        w.write(x);
        EventHeader h = header(codec, x);
        boolean wallClock = h != null
            && h.getClockDomain() == io.memfleet.event.ClockDomain.REALTIME;
        // times in wall-clock time only; every record counts
        long t = wallClock ? h.getRawTimestamp() : Long.MAX_VALUE;
        long last = wallClock ? t : Long.MIN_VALUE;
        long start = h != null ? h.getProcess().getProcessStartTimeMs() : Long.MAX_VALUE;
        spans.merge(service, new Span(start, t, last, 1), (a, b) -> new Span(
            Math.min(a.processStartMs(), b.processStartMs()),
            Math.min(a.firstEventNs(), b.firstEventNs()),
            Math.max(a.lastEventNs(), b.lastEventNs()), a.records() + b.records()));
      }
    }
    return spans;
  }

  private static EventHeader header(EventCodec codec, RawRecord x) {
    try {
      return x.value == null ? null : Events.header(codec.decode(x.value));
    } catch (EventDecodeException e) {
      return null; // the pipeline would dead-letter it
    }
  }
}
