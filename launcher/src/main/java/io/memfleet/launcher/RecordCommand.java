package io.memfleet.launcher;

import io.memfleet.collector.KafkaSecurityOptions;
import io.memfleet.pipeline.replay.TraceRecorder;
import io.memfleet.schema.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code memfleet record}: memfleet's event and clock topics from Kafka into a trace file. */
@Command(name = "record", mixinStandardHelpOptions = true,
    description = {"Record memfleet's event and clock topics from Kafka into a trace file, to "
        + "replay through the pipeline later (memfleet replay) in event time, as fast as the "
        + "machine runs it.",
        "Reads every partition directly (no consumer group: nobody's offsets move). Ctrl-C "
        + "ends the recording cleanly; a trace cut short reads to its last whole record."})
final class RecordCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TRACE", description = "File to write, e.g. leak.mftrace.")
  Path out;

  @Option(names = {"--kafka-bootstrap", "--bootstrap-servers"}, paramLabel = "HOST:PORT",
      defaultValue = "${env:MEMFLEET_KAFKA_BOOTSTRAP:-127.0.0.1:19092}",
      description = "Kafka bootstrap servers (MEMFLEET_KAFKA_BOOTSTRAP; default: ${DEFAULT-VALUE}).")
  String bootstrap;

  @Mixin KafkaSecurityOptions kafkaSecurity;

  @Option(names = "--duration", converter = DurationConverter.class,
      description = "How long to record (e.g. 10m, 6h); default: until Ctrl-C.")
  Duration duration;

  @Option(names = "--from-beginning", description = "Start at the oldest retained record "
      + "instead of now.")
  boolean fromBeginning;

  @Option(names = "--topic", description = "Topics to record (repeatable); default: the event "
      + "topics and the clock topic.")
  List<String> topics;

  @Override
  public Integer call() throws Exception {
    List<String> chosen = topics != null ? topics : new ArrayList<>(Topics.eventTopics());
    if (topics == null) {
      chosen.add(Topics.CLOCK);
    }
    AtomicBoolean stop = new AtomicBoolean();
    Thread main = Thread.currentThread();
    Thread hook = new Thread(() -> {
      stop.set(true);
      try {
        main.join(5_000);
      } catch (InterruptedException ignored) {
        // exiting anyway
      }
    }, "memfleet-record-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    TraceRecorder.Result r = new TraceRecorder(bootstrap, chosen, fromBeginning,
        kafkaSecurity.security()).record(out,
        duration == null ? Duration.ZERO : duration, stop::get,
        line -> System.out.println("memfleet record: " + line));
    System.out.printf("memfleet record: wrote %d records (%.1f MB of values) in %d s to %s%n",
        r.records(), r.valueBytes() / 1e6, r.took().toSeconds(), out);
    if (!stop.get()) {
      Runtime.getRuntime().removeShutdownHook(hook);
    }
    return 0;
  }
}
