package io.memfleet.collector.ebpf;

import io.memfleet.collector.DurationConverter;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.KafkaEventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.bpftrace.BpftraceUnavailableException;
import io.memfleet.collector.ebpf.track.OutstandingAllocations;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code memfleet ebpf}: watch native memory with bpftrace — of every process on the host, of
 * the processes of some cgroups, or of one process — and publish to Kafka.
 *
 * <pre>
 * memfleet ebpf                            # every process: mmap, faults, oom
 * memfleet ebpf --cgroup /kubepods.slice   # processes of these memory cgroups only
 * memfleet ebpf --pid 1234                 # one process
 * memfleet ebpf --pid 1234 --scripts malloc,mmap,oom --sample-every 10 --min-age 30s
 * memfleet ebpf --pid 1234 --scripts none --perf faults,malloc --perf-round 10s
 * </pre>
 *
 * <p>Prints script counters, the processes traced, page-fault and mapping event counts (with
 * what was dropped to keep the rate bounded), the top faulted-in stack and (with malloc) the top
 * outstanding stack every report interval. Exit codes:
 * 0 done, 2 bad options, 3 bpftrace cannot run here (the message says why).
 */
@Command(name = "ebpf", mixinStandardHelpOptions = true,
    description = "Trace native allocations, mappings, page faults, RSS and OOM kills with "
        + "bpftrace (and perf) and publish them to Kafka.")
public final class EbpfCommand implements Callable<Integer> {
  /** How long a SIGTERM waits for the collector to close (Kubernetes gives 30 s). */
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(25);

  @Mixin CollectorOptions common;
  @Mixin EbpfOptions ebpf;

  @Option(names = "--duration", converter = DurationConverter.class,
      description = "Stop after this long (default: run until interrupted).")
  Duration duration;

  public EbpfCommand() {}

  @Override
  public Integer call() throws Exception {
    try {
      ebpf.validate();
    } catch (IllegalArgumentException e) {
      System.err.println("memfleet ebpf: " + e.getMessage());
      return 2;
    }
    String collectorId = "ebpf/" + common.node() + "/" + ProcessHandle.current().pid();
    ProcessIdentities identities = common.identities(ebpf.procRoot());
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    // on SIGTERM (a pod stopping) the JVM halts once its hooks return: the hook waits until the
    // collector stopped its bpftrace children and flushed, or they would outlive it
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        closed.await(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "memfleet-ebpf-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (KafkaEventSink sink = common.sinkBuilder("ebpf", collectorId).build();
        EbpfCollector collector = EbpfCollector.builder().options(ebpf).sink(sink)
            .identities(identities).headers(new EventHeaders(collectorId)).build()) {
      try {
        collector.start();
      } catch (BpftraceUnavailableException e) {
        System.err.println("memfleet ebpf: " + e.getMessage());
        return 3;
      }
      System.out.printf("memfleet ebpf: tracing %s (scripts %s), Kafka %s%n", ebpf.scope(),
          ebpf.scripts == null ? EbpfOptions.DEFAULT_SCRIPTS : ebpf.scripts,
          common.kafkaBootstrap());
      long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
      while (System.nanoTime() < end) {
        long wait = Math.min(ebpf.reportInterval().toMillis(),
            Math.max(1, (end - System.nanoTime()) / 1_000_000));
        if (stop.await(wait, TimeUnit.MILLISECONDS)) {
          break;
        }
        printStatus(collector);
      }
      collector.close(); // the last fault window, before the sink flushes
      sink.flush(Duration.ofSeconds(10));
    } finally {
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs: it returns now that everything is closed
      }
    }
    return 0;
  }

  private void printStatus(EbpfCollector collector) {
    collector.stats().forEach((script, s) -> System.out.printf(
        "%-6s events=%d attached=%d restarts=%d malformed=%d unknown=%d errors=%d lost=%d"
            + " lostStacks=%d%n",
        script.id(), s.events(), s.attaches(), s.restarts(), s.malformedLines(),
        s.unknownLines(), s.errorLines(), s.lostEvents(), s.lostStacks()));
    collector.perfStats().ifPresent(p -> System.out.printf(
        "perf   rounds=%d samples=%d malformed=%d failures=%d%s%s%n", p.rounds(), p.samples(),
        p.malformedLines(), p.failures(), p.finished() ? " finished" : "",
        p.lastProblem() == null ? "" : " last problem: " + p.lastProblem()));
    collector.escalationStats().ifPresent(e -> System.out.printf(
        "malloc escalation: probing=%s%s escalations=%d overCap=%d failures=%d%s%s%n",
        e.probing().isEmpty() ? "none" : "pids " + e.probing(),
        e.starting().isEmpty() ? "" : " starting=pids " + e.starting(), e.escalations(), e.overCap(),
        e.failures(), e.disabled() ? " off" : "",
        e.lastStop() == null ? "" : " last stop: " + e.lastStop()));
    collector.nativeMemory().ifPresent(m -> {
      var p = m.processStats();
      var f = m.faultWindow();
      System.out.printf("processes %s: traced=%d seen=%d exited=%d execs=%d evicted=%d"
          + " notTraced=%d (their events %d) goneBeforeRead=%d%n", ebpf.scope(), p.tracked(),
          p.admitted(), p.exited(), p.execs(), p.evicted(), p.notTraced(), p.eventsNotTraced(),
          p.goneBeforeRead());
      System.out.printf("faults samples=%d published=%d dropped=%d (%d faults) overBudget=%d"
          + " samples; mappings overBudget=%d%n", f.samples(), f.published(),
          f.droppedEvents(), f.droppedFaults(), m.faultSamplesOverBudget(),
          m.mappingEventsOverBudget());
      List<OutstandingAllocations.StackTotal> top = m.outstanding(System.nanoTime(),
          collector.outstandingMinAge());
      if (!top.isEmpty()) {
        OutstandingAllocations.StackTotal t = top.get(0);
        System.out.printf("outstanding top: ~%d bytes in %d sampled blocks at %s%n",
            t.estimatedBytes(), t.blocks(),
            t.stack() == null ? "?" : String.join(" <- ", t.stack().getFrames()));
      }
      m.faultedInByProcess(1).forEach(t -> System.out.printf(
          "faulted-in top: ~%d bytes (%d faults) in %d %s at %s%n", t.total().bytes(),
          t.total().faults(), t.process().getPid(), t.process().getComm(),
          String.join(" <- ", t.total().stack().getFrames())));
      System.out.printf("mapped since attach: %d bytes; %s%n", m.outstandingMappedBytes(),
          m.describeCounters());
    });
  }
}
