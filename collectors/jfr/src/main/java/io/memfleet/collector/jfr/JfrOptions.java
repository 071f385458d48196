package io.memfleet.collector.jfr;

import io.memfleet.collector.CollectorOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Configuration of the JFR collector (agent and remote mode): the common collector settings plus
 * which JFR events to stream and how. Defaults keep overhead low: allocation samples throttled to
 * 100/s, old-object samples without paths to GC roots, GC and heap events (cheap, per GC), thread
 * counts once a second.
 *
 * <p>Agent option string: {@code -javaagent:memfleet-jfr-agent.jar=key=value,key=value}. Keys
 * (besides the common ones of {@link CollectorOptions#set}: {@code bootstrap}, {@code spoolDir},
 * {@code spoolMaxBytes}, {@code cluster}, {@code node}, {@code service}, {@code labels} with
 * {@code ;} between labels):
 *
 * <table>
 *   <caption>JFR options</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>events</td><td>all of {@link #ALL_EVENTS}</td><td>{@code +}-separated subset, e.g.
 *       {@code allocation+gc+heap+threads+oldObjects+rss+pools}</td></tr>
 *   <tr><td>throttle</td><td>100/s</td><td>jdk.ObjectAllocationSample throttle</td></tr>
 *   <tr><td>stackDepth</td><td>8</td><td>frames kept per allocation stack (and hashed)</td></tr>
 *   <tr><td>oldObjectCutoff</td><td>0 ns</td><td>time JFR may spend finding GC-root paths</td></tr>
 *   <tr><td>oldObjectPeriod</td><td>60 s</td><td>how often old-object samples are emitted (the
 *       first 15 s after the JVM is followed, or after the period when shorter)</td></tr>
 *   <tr><td>classHistogramPeriod</td><td>30 s</td><td>how often the node collector (the agent:
 *       of its own JVM) takes the class histogram of a JVM whose live set grows while its
 *       old-object samples show nothing retained (Shenandoah, where JFR's leak profiler does
 *       not work); 0 never</td></tr>
 *   <tr><td>threadPeriod</td><td>1 s</td><td>jdk.JavaThreadStatistics period</td></tr>
 *   <tr><td>poolPeriod</td><td>5 s</td><td>period of the pools outside the heap
 *       (jdk.DirectBufferStatistics, jdk.CodeCacheStatistics, jdk.NativeMemoryUsageTotal);
 *       metaspace is read at every GC</td></tr>
 *   <tr><td>clockSyncPeriod</td><td>10 s</td><td>how often a ClockSync is published</td></tr>
 *   <tr><td>quiet</td><td>false</td><td>no agent messages on stderr</td></tr>
 *   <tr><td>maxMemory</td><td>4m</td><td>heap the agent's events may take: queue plus producer
 *       buffer; beyond it events are dropped and counted</td></tr>
 * </table>
 */
public final class JfrOptions {
  /** Event groups that can be named in {@code events}. */
  public static final Set<String> ALL_EVENTS =
      Set.of("allocation", "oldObjects", "gc", "heap", "threads", "rss", "pools");

  /** Heap the agent's events may take in the host JVM, queued and in the producer's buffer. */
  public static final long DEFAULT_MAX_MEMORY = 4L * 1024 * 1024;

  private final CollectorOptions common;
  private Set<String> events = new TreeSet<>(ALL_EVENTS);
  private String throttle = "100/s";
  private int stackDepth = 8;
  private String oldObjectCutoff = "0 ns";
  private Duration oldObjectPeriod = Duration.ofSeconds(60);
  private Duration classHistogramPeriod = Duration.ofSeconds(30);
  private Duration threadPeriod = Duration.ofSeconds(1);
  private Duration poolPeriod = Duration.ofSeconds(5);
  private Duration clockSyncPeriod = Duration.ofSeconds(10);
  private boolean quiet;
  private boolean directBufferProbe = true;
  private long maxMemory = DEFAULT_MAX_MEMORY;

  public JfrOptions(CollectorOptions common) {
    this.common = common;
  }

  /** Options from the environment (via {@link CollectorOptions}) and an agent option string. */
  public static JfrOptions parseAgentArgs(String args) {
    JfrOptions o = new JfrOptions(CollectorOptions.fromEnvironment());
    for (Map.Entry<String, String> e : splitArgs(args).entrySet()) {
      o.set(e.getKey(), e.getValue());
    }
    return o;
  }

  /** Splits {@code k=v,k2=v2}; a bare key means {@code true}. */
  static Map<String, String> splitArgs(String args) {
    Map<String, String> out = new LinkedHashMap<>();
    if (args == null || args.isBlank()) {
      return out;
    }
    for (String part : args.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      out.put(eq < 0 ? part.strip() : part.substring(0, eq).strip(),
          eq < 0 ? "true" : part.substring(eq + 1).strip());
    }
    return out;
  }

  /**
   * Sets one option by key.
   *
   * @throws IllegalArgumentException for an unknown key or a malformed value
   */
  public void set(String key, String value) {
    if (common.set(key, value)) {
      return;
    }
    switch (key) {
      case "events" -> {
        Set<String> chosen = new TreeSet<>();
        for (String e : value.split("[+;]")) {
          if (!ALL_EVENTS.contains(e.strip())) {
            throw new IllegalArgumentException("unknown event group '" + e + "'; known: "
                + new TreeSet<>(ALL_EVENTS));
          }
          chosen.add(e.strip());
        }
        events = chosen;
      }
      case "throttle" -> {
        if (!value.matches("off|\\d+\\s*/\\s*(ns|us|ms|s|m|h|d)")) {
          throw new IllegalArgumentException("throttle must look like 100/s: '" + value + "'");
        }
        throttle = value;
      }
      case "stackDepth" -> stackDepth = positive(key, value);
      case "oldObjectCutoff" -> oldObjectCutoff = value;
      case "oldObjectPeriod" -> oldObjectPeriod = duration(key, value);
      case "classHistogramPeriod" -> classHistogramPeriod = duration(key, value);
      case "threadPeriod" -> threadPeriod = duration(key, value);
      case "poolPeriod" -> poolPeriod = duration(key, value);
      case "clockSyncPeriod" -> clockSyncPeriod = duration(key, value);
      case "quiet" -> quiet = Boolean.parseBoolean(value);
      case "directBufferProbe" -> directBufferProbe = bool(key, value);
      case "maxMemory" -> {
        maxMemory = CollectorOptions.parseBytes(value);
        if (maxMemory < 64 * 1024) {
          throw new IllegalArgumentException("maxMemory must be at least 64k: '" + value + "'");
        }
      }
      default -> throw new IllegalArgumentException("unknown option '" + key + "'");
    }
  }

  private static boolean bool(String key, String value) {
    if (!value.equals("true") && !value.equals("false")) {
      throw new IllegalArgumentException(key + " must be true or false: '" + value + "'");
    }
    return Boolean.parseBoolean(value);
  }

  private static int positive(String key, String value) {
    try {
      int v = Integer.parseInt(value);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a positive integer: '" + value + "'");
  }

  /** Parses {@code 500ms}, {@code 10s}, {@code 2m} or plain milliseconds. */
  static Duration duration(String key, String value) {
    String v = value.strip().replace(" ", "");
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      } else if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.ofMillis(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a duration like 10s: '" + value + "'");
    }
  }

  public CollectorOptions common() {
    return common;
  }

  /**
   * Whether the agent starts memfleet's direct-buffer probe in its JVM once the JVM's
   * direct-buffer pool grows (option {@code directBufferProbe}, default true), as the node
   * collector loads it into a JVM it reads from outside.
   */
  public boolean directBufferProbe() {
    return directBufferProbe;
  }

  public boolean enabled(String group) {
    return events.contains(group);
  }

  public Set<String> events() {
    return Set.copyOf(events);
  }

  public String throttle() {
    return throttle;
  }

  public int stackDepth() {
    return stackDepth;
  }

  public String oldObjectCutoff() {
    return oldObjectCutoff;
  }

  /** The first old-object samples come this soon, then every {@link #oldObjectPeriod}. */
  static final Duration FIRST_OLD_OBJECTS = Duration.ofSeconds(15);

  /**
   * How long after a JVM is first followed its first old-object samples are emitted: 15 s, or
   * the period when shorter. A heap that runs out within its first minute names what it retains
   * only if a set of samples came before its alert (seen: a 128 MiB heap filling at 2 MiB/s,
   * alerted at 46 s, dead at 61 s, no set before the first period ended).
   */
  public Duration firstOldObjectDelay() {
    return oldObjectPeriod.compareTo(FIRST_OLD_OBJECTS) < 0 ? oldObjectPeriod : FIRST_OLD_OBJECTS;
  }

  public Duration oldObjectPeriod() {
    return oldObjectPeriod;
  }

  /** How often a JVM's class histogram may be taken; zero: never (see the class doc). */
  public Duration classHistogramPeriod() {
    return classHistogramPeriod;
  }

  public Duration threadPeriod() {
    return threadPeriod;
  }

  public Duration poolPeriod() {
    return poolPeriod;
  }

  public Duration clockSyncPeriod() {
    return clockSyncPeriod;
  }

  public boolean quiet() {
    return quiet;
  }

  /**
   * Bound of the agent's event memory in the host heap: half for the queue between the JFR
   * stream and the sender thread, half for the Kafka producer's buffer. Events beyond it are
   * dropped and counted ({@code queue-full}); while Kafka is away they go to the disk spool
   * ({@code spoolMaxBytes}) instead.
   */
  public long maxMemory() {
    return maxMemory;
  }

  /**
   * The JFR settings for these options, as {@code event#setting} → value, limited to the event
   * types in {@code available} (JDK 17 has no jdk.ResidentSetSize, for instance). The events and
   * their settings are defined in {@link JfrSettings}. For the in-process agent and the JMX
   * remote mode, which keep old-object stacks on: they do not switch them with the live set as
   * the node collector does.
   */
  public Map<String, String> jfrSettings(Set<String> available) {
    return JfrSettings.of(this).withOldObjectStacks().toMap(available);
  }
}
