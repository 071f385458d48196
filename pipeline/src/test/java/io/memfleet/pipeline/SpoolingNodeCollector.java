package io.memfleet.pipeline;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.schema.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The node collector of one host as the pipeline sees it, for outage tests: procfs RSS samples
 * stamped in REALTIME, one per process of the host and call to {@link #sample}, published to the
 * host's partition of the procfs topic while its broker connection is up, and kept in order in
 * its spool while it is down, to be replayed when it is back — what {@code SpoolingSender} and
 * {@code DiskSpool} do for a real collector. Records carry no timestamp, as the collector's do:
 * the producer stamps them when they are sent, so a replayed sample has an old event time and a
 * new publish time.
 *
 * <pre>{@code
 * SpoolingNodeCollector b = new SpoolingNodeCollector("host-b", List.of(2001, 2002), producer,
 *     topic, 1);
 * b.sample(utcMs);           // published
 * b.disconnect();
 * b.sample(utcMs + 1_000);   // spooled
 * b.reconnect();             // the spool replayed in order
 * }</pre>
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class SpoolingNodeCollector {
  private static final long MB = 1L << 20;

  /** One sample as published: which process, its sequence number and event time. */
  record Sample(int pid, long sequence, long utcMs) {}

  private final String node;
  private final List<ProcessIdentity> processes = new ArrayList<>();
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final int partition;
  private final List<ProducerRecord<byte[], byte[]>> spool = new ArrayList<>();
  private final List<Sample> samples = new ArrayList<>();
  private boolean connected = true;
  private long sequence;

  /**
   * @param partition the host's partition of {@code topic}; a collector's records are keyed by
   *     process, and hashing usually spreads hosts over partitions like this
   */
  SpoolingNodeCollector(String node, List<Integer> pids, KafkaProducer<byte[], byte[]> producer,
      String topic, int partition) {
    this.node = node;
    for (int pid : pids) {
      processes.add(ProcessIdentity.newBuilder(Fixtures.process(pid, node + "-boot", true))
          .setNode(node).build());
    }
    this.producer = producer;
    this.topic = topic;
    this.partition = partition;
  }

  String node() {
    return node;
  }

  /** One RSS sample of every process at {@code utcMs}: published, or spooled while disconnected. */
  void sample(long utcMs) {
    for (ProcessIdentity p : processes) {
      long seq = ++sequence;
      byte[] value = Fixtures.CODEC.encode(Fixtures.rss(p, Source.PROCFS, ClockDomain.REALTIME,
          utcMs * 1_000_000L, seq, 256 * MB + p.getPid() % 100 * MB));
      ProducerRecord<byte[], byte[]> record =
          new ProducerRecord<>(topic, partition, null, Topics.key(p), value);
      if (connected) {
        producer.send(record);
      } else {
        spool.add(record);
      }
      samples.add(new Sample(p.getPid(), seq, utcMs));
    }
  }

  /** The broker connection is down: samples go to the spool from now on. */
  void disconnect() {
    connected = false;
  }

  /** The connection is back: sends the spool in order and returns how many samples it held. */
  int reconnect() {
    for (ProducerRecord<byte[], byte[]> record : spool) {
      producer.send(record);
    }
    int replayed = spool.size();
    spool.clear();
    connected = true;
    producer.flush();
    return replayed;
  }

  /** Every sample taken so far, published or spooled, in order. */
  List<Sample> samples() {
    return List.copyOf(samples);
  }
}
