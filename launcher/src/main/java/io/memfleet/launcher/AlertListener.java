package io.memfleet.launcher;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.OomSnapshot;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the alerts and OOM snapshots the pipeline publishes from now on, by the service their
 * process declared (for corpus scenarios: the scenario id), with the local time each arrived.
 * {@link #start()} returns once the consumer has its partitions, so nothing published after it
 * is missed.
 *
 * <pre>{@code
 * try (AlertListener l = AlertListener.start("127.0.0.1:19092")) {
 *   ... run programs ...
 *   l.alerts("jvm-g1-heap-leak");
 * }
 * }</pre>
 */
final class AlertListener implements AutoCloseable {
  private final Map<String, List<EvalReport.Received>> alerts = new ConcurrentHashMap<>();
  private final Map<String, List<OomSnapshot>> snapshots = new ConcurrentHashMap<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicBoolean assigned = new AtomicBoolean();
  private final Thread thread;

  private AlertListener(String bootstrap) {
    thread = new Thread(() -> run(bootstrap), "memfleet-alert-listener");
    thread.setDaemon(true);
  }

  static AlertListener start(String bootstrap) throws InterruptedException {
    AlertListener l = new AlertListener(bootstrap);
    l.thread.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!l.assigned.get() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    return l;
  }

  private void run(String bootstrap) {
    EventCodec codec = EventCodec.fromClasspath();
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", "memfleet-listener-" + ProcessHandle.current().pid() + "-"
        + System.nanoTime());
    p.put("auto.offset.reset", "latest");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.ALERTS, Topics.OOM_SNAPSHOTS));
      while (!stop.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          SpecificRecord v = codec.decode(r.value());
          if (v instanceof Alert a) {
            alerts.computeIfAbsent(key(a.getProcess().getService()),
                k -> new CopyOnWriteArrayList<>())
                .add(new EvalReport.Received(a, System.currentTimeMillis()));
          } else if (v instanceof OomSnapshot s) {
            snapshots.computeIfAbsent(key(s.getProcess().getService()),
                k -> new CopyOnWriteArrayList<>()).add(s);
          }
        }
        if (!consumer.assignment().isEmpty()) {
          assigned.set(true);
        }
      }
    }
  }

  private static String key(String service) {
    return service == null ? "" : service;
  }

  /** The alerts of a service so far, as received. */
  List<EvalReport.Received> alerts(String service) {
    return List.copyOf(alerts.getOrDefault(service, List.of()));
  }

  /** The alerts so far of every service not in {@code services}, as received. */
  List<EvalReport.Received> alertsExcept(java.util.Set<String> services) {
    List<EvalReport.Received> out = new java.util.ArrayList<>();
    alerts.forEach((service, list) -> {
      if (!services.contains(service)) {
        out.addAll(list);
      }
    });
    return out;
  }

  /** The OOM snapshots of a service so far. */
  List<OomSnapshot> snapshots(String service) {
    return List.copyOf(snapshots.getOrDefault(service, List.of()));
  }

  /** FIRING alerts per service, for progress lines. */
  Map<String, Long> firingCounts() {
    Map<String, Long> m = new LinkedHashMap<>();
    alerts.forEach((id, list) -> m.put(id, list.stream()
        .filter(r -> r.alert().getStatus() == AlertStatus.FIRING).count()));
    return m;
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join(10_000);
  }
}
