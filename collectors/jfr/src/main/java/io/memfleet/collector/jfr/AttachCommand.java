package io.memfleet.collector.jfr;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.DurationConverter;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.jfr.attach.RecordingControl;
import io.memfleet.collector.jfr.attach.TargetProcess;
import io.memfleet.collector.jfr.repository.JfrRepositoryCollector;
import io.memfleet.collector.jfr.repository.RepositoryReader;
import io.memfleet.event.ProcessIdentity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code memfleet attach PID}: starts memfleet's JFR recording in a running JVM — no restart, no
 * flag, nothing of memfleet loaded into it — through the attach mechanism. The node collector
 * ({@code memfleet collect}) then reads the recording's repository from outside and publishes it;
 * with {@code --follow} this command does that itself until the JVM exits.
 *
 * <pre>
 * memfleet attach 4242              # the node collector picks it up within 10 s
 * memfleet attach 4242 --follow     # read and publish here, until pid 4242 exits
 * memfleet detach 4242              # or: memfleet attach 4242 --stop
 * </pre>
 */
@Command(name = "attach", mixinStandardHelpOptions = true,
    description = "Start memfleet's JFR recording in a running JVM (read from outside by memfleet"
        + " collect, or by --follow).")
public final class AttachCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PID", description = "The JVM's pid (as this host sees it).")
  int pid;

  @Mixin CollectorOptions common = new CollectorOptions();

  @Mixin RecordingOptions recording = new RecordingOptions();

  @Option(names = "--stop", description = "Stop memfleet's recording instead (= memfleet detach).")
  boolean stop;

  @Option(names = "--follow",
      description = "Read the recording and publish it to Kafka from here until the JVM exits.")
  boolean follow;

  @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "With --follow: stop reading after this long (the recording keeps running).")
  Duration duration;

  @Option(names = "--storm-gcs", paramLabel = "N",
      defaultValue = "${env:MEMFLEET_JFR_STORM_GCS:-20}",
      description = "With --follow: above N collections a second, later ones keep only their"
          + " GcCycle (MEMFLEET_JFR_STORM_GCS; default: ${DEFAULT-VALUE}; 0: off).")
  int stormGcs;

  @Option(names = "--proc-root", paramLabel = "DIR",
      defaultValue = "${env:MEMFLEET_PROC_ROOT:-/proc}",
      description = "procfs root (MEMFLEET_PROC_ROOT; default: ${DEFAULT-VALUE}).")
  Path procRoot;

  public AttachCommand() {}

  @Override
  public Integer call() throws Exception {
    TargetProcess target = TargetProcess.of(procRoot, pid, List.of());
    JfrOptions options = recording.jfrOptions(common);
    RecordingControl control = RecordingControl.builder().settings(JfrSettings.of(options))
        .recording(recording.recording()).build();
    if (stop) {
      System.out.println(control.stop(target) ? "stopped memfleet's recording in pid " + pid
          : "memfleet's recording was not running in pid " + pid);
      return 0;
    }
    RecordingControl.Started s = control.start(target);
    System.out.println((s.alreadyRunning() ? "memfleet's recording was already running"
        : "started memfleet's recording") + " in pid " + pid + "; repository "
        + s.repositoryInTarget());
    if (!follow) {
      System.out.println("memfleet collect reads it; memfleet detach " + pid + " stops it");
      return 0;
    }
    ProcessIdentity identity = common.identities().withProcessLabels().forPid(pid);
    String collectorId = "jfr-attach/" + common.node() + "/" + ProcessHandle.current().pid();
    try (KafkaEventSink sink = common.sinkBuilder("jfr-attach", collectorId).build();
        JfrRepositoryCollector jvms = JfrRepositoryCollector.builder().options(options)
            .sink(sink).procRoot(procRoot).stormGcsPerSecond(stormGcs)
            .collectorId(collectorId).build()) {
      Optional<RepositoryReader> reader = jvms.follow(identity);
      if (reader.isEmpty()) {
        System.err.println("memfleet: no repository of memfleet's recording found for pid " + pid);
        return 1;
      }
      jvms.start();
      System.out.println("reading " + reader.get().repository() + " and publishing to "
          + common.kafkaBootstrap());
      Thread main = Thread.currentThread();
      Thread hook = new Thread(main::interrupt, "memfleet-attach-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        boolean ended = duration == null ? awaitForever(reader.get())
            : reader.get().awaitEnd(duration);
        System.out.println((ended ? "done (" + reader.get().endReason() + ")" : "stopped")
            + "; " + describe(reader.get().stats()) + "; " + sink.stats());
      } catch (InterruptedException e) {
        System.out.println("interrupted; " + describe(reader.get().stats()));
      } finally {
        removeHook(hook);
      }
      sink.flush(Duration.ofSeconds(5));
    }
    return 0;
  }

  private static boolean awaitForever(RepositoryReader reader) throws InterruptedException {
    while (!reader.awaitEnd(Duration.ofSeconds(60))) {
      // until the JVM exits or the recording is stopped
    }
    return true;
  }

  static String describe(RepositoryReader.Stats s) {
    List<String> parts = new ArrayList<>();
    parts.add(s.jfrEvents() + " JFR events read");
    parts.add(s.published() + " events published");
    if (s.stormDropped() > 0) {
      parts.add(s.stormDropped() + " heap summaries, pauses and metaspace readings left out in "
          + s.stormSeconds() + " s of GC storm");
    }
    return String.join(", ", parts);
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs
    }
  }
}
