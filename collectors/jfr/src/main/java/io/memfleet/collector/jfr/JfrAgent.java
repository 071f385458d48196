package io.memfleet.collector.jfr;

import io.memfleet.collector.ClockSyncSampler;
import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.jfr.attach.ClassHistogram;
import io.memfleet.collector.jfr.internal.AgentLog;
import io.memfleet.collector.jfr.internal.InProcessProbe;
import io.memfleet.collector.jfr.internal.JfrPump;
import io.memfleet.collector.jfr.internal.SinkWatch;
import io.memfleet.collector.jfr.internal.UncaughtOutOfMemory;
import io.memfleet.collector.jfr.repository.JvmSignals;
import io.memfleet.event.Allocation;
import io.memfleet.event.OomKill;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.management.JMException;
import javax.management.ObjectName;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordingStream;

/**
 * The in-process JFR collector: a Java agent that streams this JVM's JFR events to Kafka.
 *
 * <pre>
 * java -javaagent:memfleet-collector-jfr-agent.jar=bootstrap=127.0.0.1:19092,service=checkout \
 *      -jar app.jar
 * </pre>
 *
 * <p>Options: see {@link JfrOptions}. Everything runs on daemon threads started here, so the
 * application's threads never wait for the agent and the JVM exits as if it were not there.
 * Every failure (bad options, no JFR, Kafka unreachable, spool full) is caught and reported on
 * stderr at most once per reason; the agent never calls System.exit and never throws into
 * {@code premain}. Its spool is {@code <spoolDir>/<pid>-<processStartTimeMs>}, one per JVM, so JVMs
 * on one host do not share a spool; what a JVM that died left in its spool is taken over by the
 * next agent that starts on the host (and its events lost in memory counted as lost-on-kill).
 *
 * <p>Its memory in the host heap is bounded in bytes ({@code maxMemory}, 4 MiB: the queue to the
 * sender thread and the Kafka producer's buffer); what does not fit is dropped and counted
 * ({@code queue-full}), reported once on stderr. Where a node collector can read the JVM's files,
 * prefer memfleet's recording read from outside ({@link MemfleetRecording}): then nothing of
 * memfleet runs in the JVM.
 */
public final class JfrAgent {
  private static volatile boolean started;
  /** What the JVM gave the agent: the direct-buffer probe is started with it. */
  private static volatile Instrumentation instrumentation;

  private JfrAgent() {}

  public static void premain(String args, Instrumentation inst) {
    instrumentation = inst;
    start(args);
  }

  public static void agentmain(String args, Instrumentation inst) {
    instrumentation = inst;
    start(args);
  }

  private static synchronized void start(String args) {
    if (started) {
      return;
    }
    started = true;
    try {
      Thread t = new Thread(() -> run(args), "memfleet-jfr-agent");
      t.setDaemon(true);
      t.start();
    } catch (Throwable t) {
      System.err.println("[memfleet-jfr-agent] not started: " + t);
    }
  }

  private static void run(String args) {
    AgentLog log = new AgentLog(false);
    try {
      JfrOptions options = JfrOptions.parseAgentArgs(args);
      log = new AgentLog(options.quiet());
      runWith(options, log);
    } catch (Throwable t) {
      log.once("start", "not started (the application runs on without it): " + t);
    }
  }

  private static void runWith(JfrOptions options, AgentLog log) throws Exception {
    ProcessIdentity self = options.common().identities().self();
    String collectorId = "jfr-agent/" + self.getNode() + "/" + self.getPid() + "/"
        + self.getProcessStartTimeMs();
    Path spools = options.common().spoolDir("jfr-agent");
    Path spool = spools.resolve(self.getPid() + "-" + self.getProcessStartTimeMs());
    // the agent's heap in the host JVM is bounded in bytes: half queue, half producer buffer;
    // the spools of JVMs that died before they could replay theirs are taken over here
    long half = options.maxMemory() / 2;
    KafkaEventSink sink = options.common().sinkBuilder("jfr-agent", collectorId)
        .spoolDir(spool).adoptOrphans(spools).closeTimeout(Duration.ofSeconds(2))
        .queueMaxBytes(half)
        .producerProperty("buffer.memory", Long.toString(half))
        .producerProperty("batch.size", Long.toString(Math.min(64 * 1024, half / 4)))
        .build();
    EventHeaders headers = new EventHeaders(collectorId);
    JfrSettings settings = JfrSettings.of(options);
    InProcessProbe probe = options.enabled("pools") && options.directBufferProbe()
        ? new InProcessProbe(instrumentation, settings.directBufferSitePeriodSeconds()) : null;
    JvmSignals signals = new JvmSignals();
    Stream stream = new Stream(options, self, headers, sink, probe, signals, log);
    UncaughtOutOfMemory oom = UncaughtOutOfMemory.install();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWithin(() -> {
      OomKill kill = oom.report(self, headers);
      if (kill != null) {
        sink.publish(kill);
      }
    }, stream, sink, 3_000), "memfleet-jfr-agent-shutdown"));
    stream.start();

    ClockSyncSampler clock = new ClockSyncSampler();
    SinkWatch watch = new SinkWatch(log, options.common().kafkaBootstrap(), spool.toString());
    long nextClock = 0;
    long started = System.nanoTime();
    long nextOldObjects = started + options.firstOldObjectDelay().toNanos();
    long lastHistogram = 0;
    while (true) {
      long now = System.nanoTime();
      try {
        if (now >= nextClock) {
          sink.publish(clock.sample(self, Source.JFR, headers));
          nextClock = now + options.clockSyncPeriod().toNanos();
        }
        if (options.enabled("oldObjects") && now >= nextOldObjects) {
          nextOldObjects = now + options.oldObjectPeriod().toNanos();
          emitOldObjectSamples(options);
        }
        if (lastHistogram != Long.MAX_VALUE && signals.classHistogramDue(now, started,
            lastHistogram, options.classHistogramPeriod().toNanos())) {
          lastHistogram = now;
          if (!emitClassHistogram(self, headers, sink, log)) {
            lastHistogram = Long.MAX_VALUE; // no diagnostic commands here: no more tries
          }
        }
        if (probe != null && probe.due()) {
          loadProbe(probe, log);
        }
        watch.check(sink.stats());
        stream.restartIfDead(now);
      } catch (RuntimeException e) {
        log.once("loop:" + e.getClass().getName(), "periodic task failed: " + e);
      }
      Thread.sleep(500);
    }
  }

  /**
   * JFR writes old-object samples only when a recording that enables them stops; stopping a
   * short recording of our own makes them appear in the stream periodically.
   */
  static void emitOldObjectSamples(JfrOptions options) {
    try (Recording r = new Recording()) {
      r.enable("jdk.OldObjectSample").with("cutoff", options.oldObjectCutoff())
          .withStackTrace();
      r.setToDisk(false);
      r.start();
      r.stop();
    }
  }

  /**
   * This JVM's class histogram ({@code GC.class_histogram -all}, through the
   * {@code DiagnosticCommand} MBean: a walk of the heap at a safepoint, no collection) as
   * {@link JvmSignals#classHistogramEvents}: taken, like the node collector does through attach,
   * while the live set grows and the old-object samples show nothing retained
   * (under Shenandoah they show nothing true at all). False when the JVM has no such MBean.
   */
  static boolean emitClassHistogram(ProcessIdentity self, EventHeaders headers,
      KafkaEventSink sink, AgentLog log) {
    try {
      List<ClassHistogram.Row> rows = ClassHistogram.parse(classHistogramText());
      long epochNanos = System.currentTimeMillis() * 1_000_000L;
      for (Allocation a : JvmSignals.classHistogramEvents(rows, self, headers, epochNanos)) {
        sink.publish(a);
      }
      log.once("histogram", "its live set grows and no old-object sample shows what it retains;"
          + " taking its class histogram periodically");
      return true;
    } catch (JMException | RuntimeException e) {
      log.once("histogram", "its live set grows, but no class histogram: " + e);
      return false;
    }
  }

  /** {@code GC.class_histogram -all} of this JVM, as {@code jcmd} would print it. */
  static String classHistogramText() throws JMException {
    Object text = ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[] {"-all"}}, new String[] {String[].class.getName()});
    return String.valueOf(text);
  }

  /** Its direct-buffer pool grows: the probe says which code keeps the buffers. */
  private static void loadProbe(InProcessProbe probe, AgentLog log) {
    try {
      probe.load();
      log.once("probe", "its direct buffers grow; started the direct-buffer probe");
    } catch (Exception | LinkageError e) {
      log.once("probe", "its direct buffers grow, but no direct-buffer probe: " + e);
    }
  }

  static Set<String> availableEvents() {
    Set<String> names = new HashSet<>();
    for (EventType t : FlightRecorder.getFlightRecorder().getEventTypes()) {
      names.add(t.getName());
    }
    return names;
  }

  /**
   * The agent's JFR stream. If its thread dies (e.g. the parser runs out of the host's heap just
   * before the JVM's own OutOfMemoryError), a new stream is started, at most once every 10 s.
   */
  private static final class Stream {
    private final JfrOptions options;
    private final ProcessIdentity self;
    private final EventHeaders headers;
    private final KafkaEventSink sink;
    private final InProcessProbe probe;
    private final JvmSignals signals;
    private final AgentLog log;
    private volatile RecordingStream current;
    private volatile boolean stopping;
    private Thread thread;
    private long nextRestart;

    Stream(JfrOptions options, ProcessIdentity self, EventHeaders headers, KafkaEventSink sink,
        InProcessProbe probe, JvmSignals signals, AgentLog log) {
      this.options = options;
      this.self = self;
      this.headers = headers;
      this.sink = sink;
      this.probe = probe;
      this.signals = signals;
      this.log = log;
    }

    synchronized void start() {
      RecordingStream s = new RecordingStream();
      // the probe's event by its name whether or not it is registered yet: JFR applies it when
      // the probe registers the event, if the agent starts the probe
      Set<String> available = availableEvents();
      available.add(JfrSettings.DIRECT_BUFFER_SITE);
      s.setSettings(options.jfrSettings(available));
      JfrPump.wire(s, new JfrEventMapper(self, headers, options.stackDepth()), r -> {
        if (probe != null) {
          probe.observe(r);
        }
        signals.observe(r);
        sink.publish(r);
      }, log);
      current = s;
      // startAsync() would run the stream on a non-daemon thread, keeping the JVM alive at exit
      thread = new Thread(s::start, "memfleet-jfr-agent-stream");
      thread.setDaemon(true);
      thread.start();
    }

    synchronized void restartIfDead(long now) {
      if (stopping || thread.isAlive() || now < nextRestart) {
        return;
      }
      nextRestart = now + 10_000_000_000L;
      log.once("stream-restart", "the JFR stream stopped; restarting it (at most every 10 s)");
      try {
        current.close();
      } catch (Throwable ignored) {
        // replaced anyway
      }
      start();
    }

    void close() {
      stopping = true;
      current.close();
    }
  }

  /**
   * Reports {@code last} (what the agent knows of the JVM's end: an uncaught
   * {@code OutOfMemoryError}), then stops the stream and the sink; never delays the JVM's exit by
   * more than {@code millis}.
   */
  private static void stopWithin(Runnable last, Stream stream, KafkaEventSink sink,
      long millis) {
    Thread t = new Thread(() -> {
      try {
        last.run();
      } catch (Throwable ignored) {
        // the stream and the sink are stopped anyway
      }
      stop(stream, sink);
    }, "memfleet-jfr-agent-stop");
    t.setDaemon(true);
    t.start();
    try {
      t.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void stop(Stream stream, KafkaEventSink sink) {
    try {
      stream.close();
    } catch (Throwable ignored) {
      // shutting down anyway
    }
    sink.close(); // bounded by the sink's close timeout; what is left stays spooled
  }
}
