package io.memfleet.collector.jfr;

import io.memfleet.collector.CollectorOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JFR settings of memfleet's recording — which events, with which thresholds, throttles and
 * periods — in one place. Every way memfleet records a JVM uses them:
 *
 * <ul>
 *   <li>the in-process agent: {@link #toMap(Set)} for {@code RecordingStream.setSettings};
 *   <li>{@code memfleet attach} and the node collector's {@code --jfr-attach}: {@link #toJfc()}
 *       written into the target's file system and named in {@code JFR.start settings=…};
 *   <li>JVMs started with {@code -XX:StartFlightRecording}: the {@code memfleet.jfc} this module
 *       ships ({@link #JFC_RESOURCE}), which {@code JfrSettingsTest} keeps equal to
 *       {@code defaults().toJfc()}.
 * </ul>
 *
 * <pre>{@code
 * JfrSettings s = JfrSettings.of(options);          // options: throttle, periods, event groups
 * stream.setSettings(s.toMap(availableEventTypes));  // in process
 * Files.writeString(jfc, s.toJfc());                 // out of process
 * }</pre>
 *
 * <p>To record another event, add one line to {@link #table} (with the group that switches it),
 * then regenerate {@code memfleet.jfc}: run {@code JfrSettingsTest} with
 * {@code -Dmemfleet.jfc.update=true} and commit the file. The cost of each choice: allocation
 * samples are throttled ({@code jdk.ObjectAllocationSample}, not the per-TLAB events); GC events
 * are a handful per collection (JFR's {@code default.jfc} records several dozen); periodic events
 * once a second.
 */
public final class JfrSettings {
  /** Class-path location of the shipped settings file ({@code defaults().toJfc()}). */
  public static final String JFC_RESOURCE = "/io/memfleet/collector/jfr/memfleet.jfc";
  /** The old-object sampler's event. */
  public static final String OLD_OBJECT_SAMPLE = "jdk.OldObjectSample";
  /** The direct-buffer probe's event (collectors/jvm-probe): live direct buffers by stack. */
  public static final String DIRECT_BUFFER_SITE = "memfleet.DirectBufferSite";

  /**
   * One event of the recording.
   *
   * @param group the {@link JfrOptions#ALL_EVENTS} group that switches it on
   * @param event the JFR event name
   * @param settings setting name → value, {@code enabled} first
   */
  public record EventSettings(String group, String event, Map<String, String> settings) {
    public EventSettings {
      settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }
  }

  private final List<EventSettings> events;

  private JfrSettings(List<EventSettings> events) {
    this.events = List.copyOf(events);
  }

  /** The settings for these options (event groups, throttle, periods, old-object cutoff). */
  public static JfrSettings of(JfrOptions options) {
    List<EventSettings> chosen = new ArrayList<>();
    for (EventSettings e : table(options)) {
      if (options.enabled(e.group())) {
        chosen.add(e);
      }
    }
    return new JfrSettings(chosen);
  }

  /** The settings of the default options: what {@code memfleet.jfc} holds. */
  public static JfrSettings defaults() {
    return of(new JfrOptions(new CollectorOptions()));
  }

  /** The settings of {@code from} for these events only (e.g. a recording of old objects). */
  /** These settings with stack traces on the old-object samples (where they enable them). */
  public JfrSettings withOldObjectStacks() {
    return new JfrSettings(events.stream().map(e -> {
      if (!e.event().equals(OLD_OBJECT_SAMPLE)) {
        return e;
      }
      Map<String, String> s = new LinkedHashMap<>(e.settings());
      s.put("stackTrace", "true");
      return new EventSettings(e.group(), e.event(), s);
    }).toList());
  }

  public static JfrSettings only(JfrSettings from, String... eventNames) {
    Set<String> wanted = Set.of(eventNames);
    return new JfrSettings(from.events.stream().filter(e -> wanted.contains(e.event())).toList());
  }

  /** Every event memfleet can record, by group; the only list of JFR events in memfleet. */
  private static List<EventSettings> table(JfrOptions o) {
    String period = o.threadPeriod().toMillis() + " ms";
    String poolPeriod = o.poolPeriod().toMillis() + " ms";
    return List.of(
        event("allocation", "jdk.ObjectAllocationSample",
            "throttle", o.throttle(), "stackTrace", "true"),
        // samples are emitted when a recording that enables them stops (see JfrAgent); without
        // stacks, as in JFR's default.jfc: a stack costs a stack walk at every TLAB refill, so the
        // node collector turns them on (withOldObjectStacks) only while a JVM's live set grows
        event("oldObjects", OLD_OBJECT_SAMPLE,
            "cutoff", o.oldObjectCutoff(), "stackTrace", "false"),
        event("gc", "jdk.GarbageCollection", "threshold", "0 ns"),
        event("gc", "jdk.GCPhasePause", "threshold", "0 ns"),
        // young or mixed: a mixed collection's heap after is a live-set upper bound
        event("gc", "jdk.G1GarbageCollection", "threshold", "0 ns"),
        event("heap", "jdk.GCHeapSummary"),
        event("heap", "jdk.GCHeapConfiguration", "period", "beginChunk"),
        // with the young collector (jdk.GCConfiguration below) and SurvivorRatio, how much of
        // the maximum a Serial heap can fill (UsableHeap); the flags event lists every unsigned
        // flag once per chunk, a few hundred small events
        event("heap", "jdk.YoungGenerationConfiguration", "period", "beginChunk"),
        event("heap", "jdk.UnsignedLongFlag", "period", "beginChunk"),
        event("threads", "jdk.JavaThreadStatistics", "period", period),
        // which code starts the threads that stay: a stack walk per thread start, which a
        // program pays per request only if it starts a thread per request
        event("threads", "jdk.ThreadStart", "stackTrace", "true"),
        event("threads", "jdk.ThreadEnd"),
        event("pools", "jdk.MetaspaceSummary"),
        // which code defines the classes that stay (a class-loader leak): a stack walk per class
        // defined, most of them at start-up; unloads take them back out of their groups
        event("pools", "jdk.ClassDefine", "stackTrace", "true"),
        // a hidden class (Lookup.defineHiddenClass: lambdas spun at run time, scripting engines,
        // generated accessors) has no ClassDefine event, only a ClassLoad; the mapper keeps the
        // hidden ones, and their stack walk is the same cost per class as ClassDefine's
        event("pools", "jdk.ClassLoad", "stackTrace", "true", "threshold", "0 ns"),
        event("pools", "jdk.ClassUnload"),
        event("pools", "jdk.DirectBufferStatistics", "period", poolPeriod),
        // the direct-buffer probe's report, once the collector loaded it into a JVM whose
        // direct-buffer pool grows (RecordingControl.loadDirectBufferProbe); no JDK has it
        event("pools", DIRECT_BUFFER_SITE, "period", poolPeriod),
        event("pools", "jdk.CodeCacheStatistics", "period", poolPeriod),
        event("pools", "jdk.NativeMemoryUsageTotal", "period", poolPeriod),
        event("pools", "jdk.GCConfiguration", "period", "beginChunk"),
        // JDK 21+; older JDKs ignore it in a .jfc, and toMap(available) leaves it out
        event("rss", "jdk.ResidentSetSize", "period", period));
  }

  private static EventSettings event(String group, String name, String... keyValues) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("enabled", "true");
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      s.put(keyValues[i], keyValues[i + 1]);
    }
    return new EventSettings(group, name, s);
  }

  public List<EventSettings> events() {
    return events;
  }

  /** The JFR event names these settings enable. */
  public List<String> eventNames() {
    return events.stream().map(EventSettings::event).toList();
  }

  /** {@code event#setting → value} for every event, as {@code Recording.setSettings} takes. */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (EventSettings e : events) {
      e.settings().forEach((k, v) -> m.put(e.event() + "#" + k, v));
    }
    return m;
  }

  /**
   * The period of the direct-buffer probe's event, in whole seconds (at least 1; 10 when these
   * settings have none): the probe reports at that period, so the recording reads each report.
   */
  public long directBufferSitePeriodSeconds() {
    return events.stream().filter(e -> e.event().equals(DIRECT_BUFFER_SITE))
        .map(e -> e.settings().get("period")).filter(p -> p != null && p.endsWith(" ms"))
        .mapToLong(p -> (Long.parseLong(p.substring(0, p.length() - 3).strip()) + 999) / 1000)
        .map(seconds -> Math.max(1, seconds)).findFirst().orElse(10);
  }

  /** As {@link #toMap()}, limited to the event types in {@code available}. */
  public Map<String, String> toMap(Set<String> available) {
    Map<String, String> m = new LinkedHashMap<>();
    for (EventSettings e : events) {
      if (available.contains(e.event())) {
        e.settings().forEach((k, v) -> m.put(e.event() + "#" + k, v));
      }
    }
    return m;
  }

  /** These settings as a JFR configuration file ({@code .jfc}, version 2.0). */
  public String toJfc() {
    StringBuilder x = new StringBuilder();
    x.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.append("<!-- memfleet's JFR settings, generated from io.memfleet.collector.jfr.JfrSettings:"
        + " edit that class, not this file -->\n");
    x.append("<configuration version=\"2.0\" label=\"memfleet\" description=\"Memory events"
        + " memfleet needs: throttled allocation samples, old-object samples, GC cycles, pauses and"
        + " heap summaries, thread counts, RSS\" provider=\"memfleet\">\n");
    for (EventSettings e : events) {
      x.append("  <event name=\"").append(xml(e.event())).append("\">\n");
      e.settings().forEach((k, v) -> x.append("    <setting name=\"").append(xml(k))
          .append("\">").append(xml(v)).append("</setting>\n"));
      x.append("  </event>\n");
    }
    x.append("</configuration>\n");
    return x.toString();
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
