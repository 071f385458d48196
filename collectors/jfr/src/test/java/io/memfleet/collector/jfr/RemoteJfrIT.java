package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.jfr.testing.LeakyCacheApp;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.ClockSync;
import io.memfleet.event.GcCycle;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ThreadCount;
import io.memfleet.localstack.FreePorts;
import io.memfleet.schema.codec.Events;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM started without the agent, with JMX on loopback, streamed from this JVM over JMX. Events
 * land in an in-memory sink: the Kafka path is the same sink code the agent IT covers.
 */
class RemoteJfrIT {
  @TempDir Path dir;

  @Test
  void streamsAnotherJvmOverJmx() throws Exception {
    int port = FreePorts.find();
    List<String> flags = List.of("-Xmx128m",
        "-Dcom.sun.management.jmxremote.port=" + port,
        "-Dcom.sun.management.jmxremote.rmi.port=" + port,
        "-Dcom.sun.management.jmxremote.authenticate=false",
        "-Dcom.sun.management.jmxremote.ssl=false",
        "-Dcom.sun.management.jmxremote.host=127.0.0.1",
        "-Djava.rmi.server.hostname=127.0.0.1");
    try (ChildJvm app = ChildJvm.start(dir.resolve("app"), flags,
        LeakyCacheApp.class.getName(), "--leak-mb-per-s", "2", "--gc-every-s", "1")) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!FreePorts.isListening(port) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(FreePorts.isListening(port)).as("JMX port; stderr: %s", app.stderr()).isTrue();
      CollectorOptions common = new CollectorOptions();
      common.set("service", "remote-demo");
      JfrOptions options = new JfrOptions(common);
      options.set("clockSyncPeriod", "1s");
      RecordingEventSink sink = new RecordingEventSink();
      try (RemoteJfrCollector collector = RemoteJfrCollector.builder()
          .jmx("127.0.0.1:" + port).options(options).sink(sink).build()) {
        collector.start();
        assertThat(collector.target().getPid()).isEqualTo((int) app.process.pid());
        long until = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (System.nanoTime() < until && (sink.eventsOf(GcCycle.class).size() < 2
            || sink.eventsOf(ThreadCount.class).isEmpty()
            || sink.eventsOf(ClockSync.class).isEmpty())) {
          Thread.sleep(200);
        }
      }
      assertThat(sink.eventsOf(GcCycle.class)).hasSizeGreaterThanOrEqualTo(2);
      assertThat(sink.eventsOf(HeapSummary.class)).isNotEmpty();
      assertThat(sink.eventsOf(ThreadCount.class)).isNotEmpty();
      assertThat(sink.eventsOf(ClockSync.class)).isNotEmpty();
      assertThat(sink.events()).allSatisfy(e -> {
        assertThat(Events.header(e).getProcess().getPid()).isEqualTo((int) app.process.pid());
        assertThat(Events.header(e).getProcess().getService()).isEqualTo("remote-demo");
        assertThat(Events.header(e).getProcess().getComm()).isEqualTo("java");
      });
      assertThat(app.process.isAlive()).isTrue();
    }
  }
}
