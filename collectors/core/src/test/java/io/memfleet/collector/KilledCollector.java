package io.memfleet.collector;

import io.memfleet.event.ClockDomain;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

/**
 * A collector process for {@link CollectorKilledIT} to kill with kill -9: publishes through a
 * {@link KafkaEventSink} on the given spool directory, prints how many events it handed over, and
 * waits to be killed.
 *
 * <p>Arguments: spool directory, Kafka bootstrap, producer {@code max.block.ms}, events to publish
 * and see spooled first, events to publish after that — or {@code forever}: keep publishing, one
 * event every 100 µs, printing the count after each, until killed.
 */
public final class KilledCollector {
  private KilledCollector() {}

  public static void main(String[] args) throws Exception {
    Path spool = Path.of(args[0]);
    int spooledFirst = Integer.parseInt(args[3]);
    boolean forever = "forever".equals(args[4]);
    int thenPublished = forever ? Integer.MAX_VALUE : Integer.parseInt(args[4]);
    KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(args[1])
        .collectorId("killed").spoolDir(spool).producerProperty("max.block.ms", args[2])
        .build();
    ProcessIdentity me = ProcessIdentities.builder().build().self();
    EventHeaders headers = new EventHeaders("killed");
    for (int i = 0; i < spooledFirst; i++) {
      sink.publish(event(me, headers, i));
    }
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (sink.stats().spooled() < spooledFirst && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    for (int i = 0; i < thenPublished; i++) {
      sink.publish(event(me, headers, spooledFirst + i));
      if (forever) {
        SinkStats s = sink.stats();
        System.out.println("published " + s.published() + " spooled " + s.spooled());
        LockSupport.parkNanos(100_000);
      }
    }
    SinkStats s = sink.stats();
    System.out.println("published " + s.published() + " spooled " + s.spooled());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  private static ThreadCount event(ProcessIdentity p, EventHeaders headers, int i) {
    return ThreadCount.newBuilder()
        .setHeader(headers.next(p, Source.JFR, ClockDomain.REALTIME, System.currentTimeMillis()))
        .setKind(ThreadKind.JAVA_THREADS).setCount(i).build();
  }
}
