package io.memfleet.collector.jfr;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.KafkaEventSink;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code memfleet jfr-remote --jmx 127.0.0.1:9010}: streams JFR from a running JVM over JMX to
 * Kafka (see {@link RemoteJfrCollector}) until that JVM exits or the command is stopped.
 */
@Command(name = "jfr-remote", mixinStandardHelpOptions = true,
    description = "Stream JFR events from a running JVM over JMX (JDK 17+) to Kafka.")
public final class JfrRemoteCommand implements Callable<Integer> {
  @Mixin CollectorOptions common = new CollectorOptions();

  @Option(names = "--jmx", required = true, paramLabel = "HOST:PORT",
      description = "JMX RMI registry of the target JVM (started with"
          + " -Dcom.sun.management.jmxremote.port=PORT).")
  String jmx;

  @Option(names = "--pid-hint", paramLabel = "PID",
      description = "Host pid of the target when it runs in another pid namespace.")
  Integer pidHint;

  @Option(names = "--events", defaultValue = "${env:MEMFLEET_JFR_EVENTS}",
      description = "Event groups, '+'-separated: allocation, oldObjects, gc, heap, threads, rss"
          + " (MEMFLEET_JFR_EVENTS; default: all).")
  String events;

  @Option(names = "--throttle", defaultValue = "${env:MEMFLEET_JFR_THROTTLE:-100/s}",
      description = "jdk.ObjectAllocationSample throttle (MEMFLEET_JFR_THROTTLE;"
          + " default: ${DEFAULT-VALUE}).")
  String throttle;

  @Option(names = "--duration", paramLabel = "DURATION",
      converter = io.memfleet.collector.DurationConverter.class,
      description = "Stop after this long, e.g. 90s or 5m (default: until the target exits).")
  Duration duration;

  public JfrRemoteCommand() {}

  @Override
  public Integer call() throws Exception {
    JfrOptions options = new JfrOptions(common);
    if (events != null && !events.isBlank()) {
      options.set("events", events);
    }
    options.set("throttle", throttle);
    String collectorId = "jfr-remote/" + common.node() + "/" + ProcessHandle.current().pid();
    try (KafkaEventSink sink = common.sinkBuilder("jfr-remote", collectorId).build();
        RemoteJfrCollector collector = RemoteJfrCollector.builder().jmx(jmx).options(options)
            .sink(sink).pidHint(pidHint).build()) {
      collector.start();
      System.out.println("streaming JFR from pid " + collector.target().getPid() + " ("
          + collector.target().getComm() + ") via " + jmx + " to " + common.kafkaBootstrap());
      if (duration != null) {
        collector.awaitTermination(duration);
      } else {
        collector.awaitTermination();
      }
      System.out.println("stopped; " + sink.stats());
    }
    return 0;
  }
}
