package io.memfleet.launcher;

import io.memfleet.collector.KafkaSecurityOptions;
import io.memfleet.event.Alert;
import io.memfleet.event.EventHeader;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.EventDecodeException;
import io.memfleet.schema.codec.Events;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code memfleet watch}: a live terminal view of what memfleet sees, read straight from Kafka —
 * like {@code top} for memory: per process the resident set, managed heap, native memory, growth
 * per minute and the part that grows, fastest growing first ({@link WatchTable}); events per
 * second per source; alerts as they fire, with their pool and culprit.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Live view, like top for memory: per process RSS, managed heap, native, growth"
        + " per minute and the growing part, fastest growing first; events per second per"
        + " source; alerts as they fire. Ctrl-C to leave (memfleet keeps running).")
final class WatchCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  @Option(names = {"--kafka-bootstrap", "--bootstrap-servers"}, paramLabel = "HOST:PORT",
      defaultValue = "${env:MEMFLEET_KAFKA_BOOTSTRAP:-127.0.0.1:19092}",
      description = "Kafka to watch (MEMFLEET_KAFKA_BOOTSTRAP; default: ${DEFAULT-VALUE}).")
  String bootstrap;

  @Mixin KafkaSecurityOptions kafkaSecurity = new KafkaSecurityOptions();

  @Option(names = "--refresh", defaultValue = "2s", converter = DurationConverter.class,
      description = "Screen refresh interval (default: ${DEFAULT-VALUE}).")
  Duration refresh;

  @Option(names = {"--duration", "--for"}, paramLabel = "DURATION", defaultValue = "0s",
      converter = DurationConverter.class,
      description = "Stop after this long (0 = until Ctrl-C).")
  Duration duration;

  @Option(names = "--plain", description = "Print lines instead of redrawing the screen.")
  boolean plain;

  @Option(names = "--rows", defaultValue = "15",
      description = "Processes shown, fastest growing first (default: ${DEFAULT-VALUE}).")
  int rowsShown;

  @Override
  public Integer call() {
    return watch(System.out);
  }

  int watch(PrintStream out) {
    Properties p = new Properties();
    p.putAll(kafkaSecurity.security().clientProperties());
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", "memfleet-watch-" + ProcessHandle.current().pid());
    p.put("auto.offset.reset", "latest");
    p.put("enable.auto.commit", "false");
    EventCodec codec = EventCodec.fromClasspath();
    List<String> topics = new ArrayList<>(Topics.eventTopics());
    topics.add(Topics.ALERTS);
    WatchState state = new WatchState(rowsShown);
    long end = duration.isZero() ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    boolean redraw = !plain && System.console() != null;
    try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(topics);
      long nextDraw = System.nanoTime() + refresh.toNanos();
      while (System.nanoTime() < end) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          state.add(r.topic(), r.value(), codec);
        }
        if (System.nanoTime() >= nextDraw) {
          state.render(out, redraw, refresh);
          nextDraw = System.nanoTime() + refresh.toNanos();
        }
      }
    }
    return 0;
  }

  /** Counters between two screen refreshes, and what stays on screen. */
  static final class WatchState {
    final Map<String, Long> perTopic = new TreeMap<>();
    final WatchTable table = new WatchTable();
    final Deque<String> alerts = new ArrayDeque<>();
    final int rowsShown;
    long undecodable;

    WatchState(int rowsShown) {
      this.rowsShown = rowsShown;
    }

    void add(String topic, byte[] value, EventCodec codec) {
      SpecificRecord record;
      try {
        record = codec.decode(value);
      } catch (EventDecodeException e) {
        undecodable++;
        return;
      }
      long now = System.currentTimeMillis();
      if (record instanceof Alert a) {
        table.add(a, null, now);
        alerts.addFirst(TIME.format(Instant.ofEpochMilli(a.getLastSeenUtcNs() / 1_000_000))
            + "  " + WatchTable.describe(a));
        while (alerts.size() > 10) {
          alerts.removeLast();
        }
        return;
      }
      perTopic.merge(topic.substring(topic.lastIndexOf('.') + 1), 1L, Long::sum);
      EventHeader h = Events.header(record);
      if (h != null) {
        table.add(record, h, now);
      }
    }

    void render(PrintStream out, boolean redraw, Duration interval) {
      double seconds = interval.toMillis() / 1000.0;
      if (redraw) {
        out.print("\033[H\033[2J");
      }
      out.println("memfleet watch — " + TIME.format(Instant.now()) + " UTC   (Ctrl-C to leave)");
      StringBuilder rates = new StringBuilder("events/s:");
      for (String source : List.of("jfr", "go", "ebpf", "perf", "procfs")) {
        rates.append(String.format("  %s %.1f", source,
            perTopic.getOrDefault(source, 0L) / seconds));
      }
      if (undecodable > 0) {
        rates.append("  undecodable ").append(undecodable);
      }
      out.println(rates);
      out.println("processes seen: " + table.size());
      out.println(WatchTable.header());
      table.rows(rowsShown).forEach(out::println);
      out.println("alerts (newest first): " + (alerts.isEmpty() ? "none yet" : ""));
      alerts.forEach(a -> out.println("  " + a));
      out.flush();
      perTopic.clear();
      undecodable = 0;
      if (!redraw) {
        alerts.clear();
      }
    }
  }
}
