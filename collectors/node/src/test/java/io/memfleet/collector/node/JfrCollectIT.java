package io.memfleet.collector.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.jfr.JfrSettings;
import io.memfleet.collector.jfr.MemfleetRecording;
import io.memfleet.collector.jfr.attach.HotSpotAttach;
import io.memfleet.collector.jfr.testing.LeakyCacheApp;
import io.memfleet.demo.jvm.DemoArgs;
import io.memfleet.event.GcCycle;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.Source;
import io.memfleet.localstack.KafkaBroker;
import io.memfleet.localstack.testing.TestServers;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.Events;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code memfleet collect} reads JVMs' JFR from outside them: one JVM started with memfleet's
 * flags, one started with none and onboarded by {@code --jfr-attach}. Both JVMs' GC events reach
 * a real broker with the identity their procfs events carry, and both young JVMs have
 * old-object stacks on, by one recording each.
 */
class JfrCollectIT {
  @TempDir Path dir;

  @Test
  void collectReadsJvmsStartedWithFlagsAndAttachesToTheOthers() throws Exception {
    List<String> flagged = new ArrayList<>(List.of("-Xmx96m"));
    flagged.addAll(MemfleetRecording.defaults().prepareFlags(JfrSettings.defaults(),
        dir.resolve("jfr"), dir.resolve("memfleet.jfc")));
    try (KafkaBroker kafka = TestServers.kafka(dir);
        Jvm withFlags = Jvm.start(dir.resolve("flags"), flagged);
        Jvm plain = Jvm.start(dir.resolve("plain"), List.of("-Xmx96m"))) {
      KafkaEvents.createTopics(kafka);
      StringWriter out = new StringWriter();
      // interrupted once the test has seen what it asserts (below): "run until interrupted"
      CommandLine cli = new CommandLine(new CollectCommand()).setOut(new PrintWriter(out))
          .setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof InterruptedException) {
              return 0;
            }
            throw e;
          });
      Thread collect = new Thread(() -> cli.execute("--pid",
          withFlags.pid() + "," + plain.pid(), "--jfr-attach", "--interval", "500ms",
          "--status-interval", "5s", "--duration", "40s",
          "--kafka-bootstrap", kafka.bootstrapServers(),
          "--spool-dir", dir.resolve("spool").toString(), "--cluster", "it"));
      collect.start();
      try {
        List<SpecificRecord> events = KafkaEvents.read(kafka.bootstrapServers(),
            List.of(Topics.EVENTS_JFR, Topics.EVENTS_PROCFS),
            e -> gcCycles(e, withFlags.pid()) >= 2 && gcCycles(e, plain.pid()) >= 2,
            Duration.ofSeconds(60));
        assertThat(gcCycles(events, withFlags.pid())).as("GC cycles of the JVM with flags")
            .isGreaterThanOrEqualTo(2);
        assertThat(gcCycles(events, plain.pid())).as("GC cycles of the attached JVM")
            .isGreaterThanOrEqualTo(2);
        for (int pid : List.of(withFlags.pid(), plain.pid())) {
          // the same process identity on the JFR events as on the procfs events
          var procfs = events.stream().filter(e -> e instanceof ResidentMemory
              && Events.header(e).getProcess().getPid() == pid).findFirst().orElseThrow();
          // (heap summaries also come from the JVM's hsperfdata, as procfs events)
          var jfr = events.stream().filter(e -> e instanceof HeapSummary
              && Events.header(e).getProcess().getPid() == pid
              && Events.header(e).getSource() == Source.JFR).findFirst();
          assertThat(jfr).as("a heap summary of pid %d from its JFR recording", pid).isPresent();
          assertThat(Events.header(jfr.get()).getProcess())
              .isEqualTo(Events.header(procfs).getProcess());
        }
        // the status lines every 5 s report the attach; the 40 s of --duration are only a bound:
        // waiting them out once this is seen would prove nothing more
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (collect.isAlive() && !attachReported(out.toString())
            && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        // old-object stacks: on from the start in the JVM with flags (its second recording),
        // turned on by the collector in the attached one (both are less than a minute old) —
        // one such recording in each, the collector did not start a second
        for (int pid : List.of(withFlags.pid(), plain.pid())) {
          String check = HotSpotAttach.to(pid).jcmd("JFR.check");
          assertThat(check.lines().filter(l -> l.contains(
              " name=" + MemfleetRecording.OLD_OBJECT_STACKS + " ") && l.endsWith("(running)")))
              .as("pid %d: %s", pid, check).hasSize(1);
        }
      } finally {
        collect.interrupt();
        collect.join(TimeUnit.SECONDS.toMillis(60));
      }
      assertThat(out.toString()).contains("jfr: 2 JVMs read (").contains(" probe loaded), 1 attached (0 failed)");
    }
  }

  private static boolean attachReported(String out) {
    return out.contains("jfr: 2 JVMs read (") && out.contains(" probe loaded), 1 attached (0 failed)");
  }

  private static long gcCycles(List<SpecificRecord> events, int pid) {
    return events.stream().filter(e -> e instanceof GcCycle
        && Events.header(e).getProcess().getPid() == pid).count();
  }

  /** A leaking JVM (the JFR collector's test fixture), killed by close(). */
  private record Jvm(Process process) implements AutoCloseable {
    static Jvm start(Path dir, List<String> flags) throws Exception {
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      cmd.addAll(flags);
      // the fixture is in the JFR collector's test-jar, the DemoArgs it uses in its jar
      cmd.addAll(List.of("-cp", location(LeakyCacheApp.class) + File.pathSeparator
              + location(DemoArgs.class),
          LeakyCacheApp.class.getName(), "--leak-mb-per-s", "1", "--gc-every-s", "1"));
      java.nio.file.Files.createDirectories(dir);
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve("out.txt").toFile());
      pb.environment().putAll(Map.of("MEMFLEET_SERVICE", "jfr-it"));
      return new Jvm(pb.start());
    }

    private static String location(Class<?> c) throws Exception {
      return new File(c.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }

    int pid() {
      return (int) process.pid();
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
