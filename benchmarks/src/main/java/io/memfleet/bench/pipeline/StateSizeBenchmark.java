package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.FleetWorkload.Written;
import io.memfleet.bench.pipeline.StateSizeOptions.Backend;
import io.memfleet.bench.pipeline.StateSizeOptions.Fleet;
import io.memfleet.localstack.KafkaBroker;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Keyed state per tracked process, per operator, with the heap ({@code hashmap}) and the RocksDB
 * state backend (issue P13: at most 10 KB per process with 10 000 processes).
 *
 * <p>One run: start a Kafka broker (or use {@code --bootstrap}); for every fleet size, write its
 * backlog — every process publishing the {@link EventMix} at {@code --rate} for
 * {@code --duration} of event time ({@link FleetWorkload}) — then, for every fleet and backend,
 * run the whole memfleet job over it on a fresh MiniCluster and take one full, aligned
 * checkpoint as soon as every event has arrived, while every process still has state in every
 * keyed operator ({@link StateSizeRun}). The checkpoint is read back per operator ({@link CheckpointStateSizes})
 * and per state ({@link KeyedStateBreakdown}), and printed ({@link StateSizeReport}) with the
 * per-process slope between the largest and smallest fleet, which leaves out the fixed cost.
 *
 * <p>Checks, failing the exit status: every event arrived; the per-process join and the OOM
 * forensics hold state for exactly the fleet's processes (none expired before the snapshot).
 * Sizes are never judged.
 *
 * <pre>
 * mvn -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx8g -cp "benchmarks/target/classes:$(cat benchmarks/target/cp.txt)" \
 *     io.memfleet.bench.pipeline.StateSizeBenchmark --fleets 100x100,10x100 --duration 300s
 * </pre>
 */
@Command(name = "bench-state-size", mixinStandardHelpOptions = true,
    description = "Measure the memfleet job's keyed state per tracked process and per operator "
        + "with the heap and the RocksDB state backend, from a full checkpoint.")
public final class StateSizeBenchmark implements Callable<Integer> {
  /** Operators keyed by process: each holds state for every process of the fleet. */
  static final List<String> PER_PROCESS = List.of("join-per-process", "oom-forensics");

  @Mixin
  StateSizeOptions options = new StateSizeOptions();

  public StateSizeBenchmark() {}

  @Override
  public Integer call() throws Exception {
    options.validate();
    Outcome outcome = run(options, System.out);
    outcome.report().print(System.out);
    outcome.failedChecks().forEach(f -> System.out.println("CHECK FAILED: " + f));
    return outcome.failedChecks().isEmpty() ? 0 : 1;
  }

  /** The report and every functional check that failed (none on a sound run). */
  public record Outcome(StateSizeReport report, List<String> failedChecks) {}

  /** Runs every fleet with every backend; {@code progress} gets a line per step. */
  public static Outcome run(StateSizeOptions options, PrintStream progress) throws Exception {
    boolean temporary = options.workDir() == null;
    Path work = temporary ? Files.createTempDirectory("memfleet-state-") : options.workDir();
    Files.createDirectories(work);
    String bootstrap = options.bootstrap();
    KafkaBroker broker = null;
    List<String> description = new ArrayList<>();
    List<StateSizeRun.Result> results = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<Written> written = new ArrayList<>();
    try {
      if (bootstrap == null) {
        progress.println("starting a Kafka broker under " + work.resolve("kafka") + " ...");
        broker = KafkaBroker.builder(work.resolve("kafka")).heap(options.brokerHeap()).build();
        broker.start();
        bootstrap = broker.bootstrapServers();
      }
      description.add(String.format("workload: every process publishes the generated event mix"
              + " at %d events/s for %d s of event time; %d partitions per topic; job "
              + "parallelism %d, managed memory %s; pipeline settings: PipelineOptions defaults "
              + "and MEMFLEET_*", options.ratePerProcess(), options.duration().toSeconds(),
          options.partitions(), options.parallelism(), options.managedMemory()));
      // every backlog first: topics created and deleted between runs have made the broker
      // refuse an idempotent producer's next batches (OutOfOrderSequenceException)
      for (Fleet fleet : options.fleets()) {
        String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        progress.printf("writing %,d events from %s hosts x processes to %s.* ...%n",
            options.events(fleet), fleet, prefix);
        progress.flush();
        Written w = new FleetWorkload(options.workload(fleet)).write(bootstrap, prefix);
        written.add(w);
        description.add(String.format("  %,d processes (%s): %,d events + %,d ClockSync "
                + "samples, %.1f MiB of Avro values, %.0f s of simulated time, written in %.1f s;"
                + " by kind %s", fleet.processes(), fleet, w.events(), w.clockSamples(),
            w.bytes() / 1048576.0, w.spanMs() / 1000.0, w.writeMs() / 1000.0,
            w.eventsByKind()));
      }
      for (int i = 0; i < written.size(); i++) {
        Fleet fleet = options.fleets().get(i);
        Written w = written.get(i);
        for (Backend backend : options.backends()) {
          progress.printf("running the job with %s over %,d processes ...%n",
              backend.flinkName(), fleet.processes());
          progress.flush();
          StateSizeRun.Result r = new StateSizeRun(bootstrap, w.topics(), w.events(),
              options.parallelism(), options.managedMemory(),
              work.resolve(fleet + "-" + backend.flinkName()))
              .run(backend, fleet);
          results.add(r);
          check(r, failed);
          progress.printf("  %s: %,d keyed bytes, %,.0f per process; checkpoint took %.1f s%n",
              backend.flinkName(), r.sizes().keyedBytes(),
              (double) r.sizes().keyedBytes() / fleet.processes(), r.checkpointMs() / 1000.0);
          progress.flush();
        }
      }
      MachineDetails.describe().forEach(description::add);
    } finally {
      if (broker != null) {
        broker.close();
      } else {
        written.forEach(w -> DecodeAlignBenchmark.deleteTopics(options.bootstrap(),
            w.topics().all()));
      }
      if (temporary) {
        DecodeAlignBenchmark.deleteRecursively(work);
      }
    }
    StateSizeReport report = new StateSizeReport(description);
    results.forEach(report::add);
    return new Outcome(report, List.copyOf(failed));
  }

  private static void check(StateSizeRun.Result r, List<String> failed) {
    String run = r.backend().flinkName() + " " + r.fleet();
    if (r.counted() != r.events()) {
      failed.add(String.format("%s: %d events arrived, expected %d", run, r.counted(),
          r.events()));
    }
    for (String operator : PER_PROCESS) {
      KeyedStateBreakdown b = r.breakdowns().get(operator);
      long tracked = b == null ? 0 : b.distinctKeys();
      if (tracked != r.fleet().processes()) {
        failed.add(String.format("%s: %s holds state for %d processes, expected %d", run,
            operator, tracked, r.fleet().processes()));
      }
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new StateSizeBenchmark()).execute(args));
  }
}
