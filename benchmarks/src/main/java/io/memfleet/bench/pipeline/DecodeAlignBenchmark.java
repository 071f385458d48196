package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.FleetWorkload.Written;
import io.memfleet.bench.pipeline.PipelineThroughput.Stage;
import io.memfleet.event.ClockDomain;
import io.memfleet.localstack.KafkaBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Decode + align throughput of the memfleet pipeline as a ratio to a bare {@code KafkaConsumer}
 * + Avro decode loop over the same topics, in the same run (issue P5).
 *
 * <p>One run: start a Kafka broker (or use {@code --bootstrap}), write a simulated fleet's backlog
 * ({@link FleetWorkload}), then {@code --repetitions} rounds, each timing the
 * {@link BareConsumerBaseline} and every pipeline variant ({@link PipelineThroughput}: stage
 * ALIGN and/or JOB at each {@code --parallelism}; with {@code --cluster} also JOB on a local Flink
 * cluster of separate JVMs, {@link ClusterThroughput}) over all of it; the baseline goes first in
 * odd rounds and last in even ones, so warm-up and drift do not favour one side. Prints every pass,
 * the medians, the ratios and the machine. Every pass is also checked: all records read, all
 * events delivered, none dead-lettered, every event calibrated, the MONOTONIC ones by the
 * fitted clock model; a failed check makes the exit status 1 (timings are never judged).
 *
 * <p>The dead-letter topic is the pipeline's production Kafka sink (at least once: flushed on
 * checkpoints and when the job closes), so its count is checked as far as it has been flushed.
 *
 * <pre>
 * mvn -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -cp "benchmarks/target/classes:$(cat benchmarks/target/cp.txt)" \
 *     io.memfleet.bench.pipeline.DecodeAlignBenchmark --events 1000000 --repetitions 3
 * </pre>
 */
@Command(name = "bench-decode-align", mixinStandardHelpOptions = true,
    description = "Measure the pipeline's decode + clock-alignment throughput against a bare "
        + "KafkaConsumer + Avro decode loop over the same topics, in the same run.")
public final class DecodeAlignBenchmark implements Callable<Integer> {

  @Mixin
  DecodeAlignOptions options = new DecodeAlignOptions();

  public DecodeAlignBenchmark() {}

  @Override
  public Integer call() throws Exception {
    options.validate();
    Outcome outcome = run(options, System.out);
    outcome.report().print(System.out);
    outcome.failedChecks().forEach(f -> System.out.println("CHECK FAILED: " + f));
    return outcome.failedChecks().isEmpty() ? 0 : 1;
  }

  /** The report and every functional check that failed (none on a sound run). */
  public record Outcome(DecodeAlignReport report, List<String> failedChecks) {}

  /** Runs the whole benchmark; {@code progress} gets one line per pass as it completes. */
  public static Outcome run(DecodeAlignOptions options, PrintStream progress) throws Exception {
    boolean temporary = options.workDir() == null;
    Path work = temporary ? Files.createTempDirectory("memfleet-bench-") : options.workDir();
    Files.createDirectories(work);
    String bootstrap = options.bootstrap();
    KafkaBroker broker = null;
    Written written = null;
    ClusterThroughput cluster = null;
    // a Ctrl-C or kill ends the JVM without the finally below: end the broker then too (the
    // cluster's processes have a hook of their own)
    AtomicReference<KafkaBroker> started = new AtomicReference<>();
    Thread stopBroker = new Thread(() -> {
      if (started.get() != null) {
        started.get().close();
      }
    }, "bench-stop-broker");
    Runtime.getRuntime().addShutdownHook(stopBroker);
    try {
      if (bootstrap == null) {
        progress.println("starting a Kafka broker under " + work.resolve("kafka") + " ...");
        broker = KafkaBroker.builder(work.resolve("kafka")).heap(options.brokerHeap()).build();
        started.set(broker);
        broker.start();
        bootstrap = broker.bootstrapServers();
      }
      String prefix = "bench-" + UUID.randomUUID().toString().substring(0, 8);
      progress.printf("writing %d events from %d hosts x %d processes to %s.* ...%n",
          options.events(), options.hosts(), options.processesPerHost(), prefix);
      written = new FleetWorkload(options).write(bootstrap, prefix);
      if (options.cluster()) {
        Path jobJar = options.clusterJobJar() != null ? options.clusterJobJar()
            : ClusterJobJar.pipelineJobJar();
        progress.printf("starting a Flink cluster (a JobManager, %d TaskManagers) under %s, "
            + "job jar from %s ...%n", options.clusterTaskManagers(), work.resolve("cluster"),
            jobJar);
        cluster = ClusterThroughput.start(new ClusterThroughput.Settings(work.resolve("cluster"),
                jobJar, options.clusterTaskManagers(), options.clusterTaskHeap(),
                options.checkpointInterval()), bootstrap, written.topics(), written.records(),
            written.events(), progress);
      }
      return measure(options, bootstrap, written, work, cluster, progress);
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      if (broker != null) {
        broker.close();
      } else if (written != null) {
        deleteTopics(bootstrap, written.topics().all());
      }
      if (temporary) {
        deleteRecursively(work);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(stopBroker);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs already
      }
    }
  }

  private static Outcome measure(DecodeAlignOptions options, String bootstrap, Written w,
      Path work, ClusterThroughput cluster, PrintStream progress) throws Exception {
    DecodeAlignReport report = new DecodeAlignReport();
    List<String> failed = new ArrayList<>();
    long monotonic = w.eventsByDomain().getOrDefault(ClockDomain.MONOTONIC, 0L);
    report.describe(String.format("workload: %d events + %d ClockSync samples = %d records, "
            + "%.1f MiB of Avro values, %d topics x %d partitions, %d hosts x %d processes, "
            + "%.0f s of simulated time, written in %.1f s",
        w.events(), w.clockSamples(), w.records(), w.bytes() / 1048576.0,
        w.topics().inputs().size(),
        options.partitions(), options.hosts(), options.processesPerHost(), w.spanMs() / 1000.0,
        w.writeMs() / 1000.0));
    report.describe("  by clock domain: " + w.eventsByDomain());
    report.describe("  by kind: " + w.eventsByKind());
    report.describe("pipeline: Flink MiniCluster in this JVM, checkpoints "
        + (options.checkpointInterval().isZero() ? "off" : "every "
            + options.checkpointInterval().toMillis() + " ms")
        + ", production Kafka sources (unbounded; each run stops once every event has "
        + "arrived), defaults of PipelineOptions");
    if (cluster != null) {
      report.describe(String.format("cluster: %s = stage JOB on a Flink cluster of separate "
              + "JVMs (a JobManager, %d TaskManagers x 1 slot, task heap %s each, full JIT), the "
              + "job jar submitted over REST once per pass; counted by Flink metrics read over "
              + "REST; total = from the run request to the last event (cluster start-up and jar "
              + "upload, once per run, not included)", cluster.variant(),
          options.clusterTaskManagers(), options.clusterTaskHeap()));
    }
    MachineDetails.describe().forEach(report::describe);

    PipelineThroughput pipeline = new PipelineThroughput(bootstrap, w.topics(), w.records(),
        w.events(), options.checkpointInterval(), work.resolve("checkpoints"));
    for (int round = 1; round <= options.repetitions(); round++) {
      boolean baselineFirst = round % 2 == 1;
      if (baselineFirst) {
        baseline(bootstrap, w, report, failed, progress, round);
      }
      for (Stage stage : options.stages()) {
        for (int parallelism : options.parallelisms()) {
          PipelineThroughput.Result r = pipeline.run(stage, parallelism);
          Throughput t = r.throughput();
          report.add(t);
          checkPipeline(bootstrap, w, report, failed, round, r, monotonic);
          progress(progress, round, t);
        }
      }
      if (cluster != null) {
        progress.printf("round %d  %s: submitting ...%n", round, cluster.variant());
        PipelineThroughput.Result r = cluster.run();
        Throughput t = r.throughput();
        report.add(t);
        checkPipeline(bootstrap, w, report, failed, round, r, monotonic);
        progress(progress, round, t);
      }
      if (!baselineFirst) {
        baseline(bootstrap, w, report, failed, progress, round);
      }
    }
    report.describe("load average after the run: " + MachineDetails.loadAverage());
    return new Outcome(report, List.copyOf(failed));
  }

  /** Checks a pipeline pass and notes what it counted. */
  private static void checkPipeline(String bootstrap, Written w, DecodeAlignReport report,
      List<String> failed, int round, PipelineThroughput.Result r, long monotonic)
      throws Exception {
    String variant = r.throughput().variant();
    long deadLetters = recordsIn(bootstrap, w.topics().deadLetterTopic());
    check(failed, variant, "events delivered", r.events(), w.events());
    check(failed, variant, "dead letters (all runs so far)", deadLetters, 0);
    check(failed, variant, "calibrated events", r.calibrated(), w.events());
    check(failed, variant, "events on the fitted clock model", r.clockModel(), monotonic);
    String stoodStill = r.longestPauseNs() < 0 ? ""
        : String.format(", output stood still at most %.2f s", r.longestPauseNs() / 1e9);
    report.note(variant, String.format("round %d: %d events (%d calibrated, %d by the "
            + "MONOTONIC clock model), %d derived native-memory points, %d dead letters%s",
        round, r.events(), r.calibrated(), r.clockModel(), r.derived(), deadLetters,
        stoodStill));
    if (!r.outputs().isEmpty()) {
      report.note(variant, "round " + round + " outputs: " + r.outputs());
    }
  }

  private static void baseline(String bootstrap, Written w, DecodeAlignReport report,
      List<String> failed, PrintStream progress, int round) {
    BareConsumerBaseline baseline = new BareConsumerBaseline(bootstrap, w.topics().inputs());
    Throughput t = baseline.run();
    report.add(t);
    check(failed, t.variant(), "records read", t.records(), w.records());
    check(failed, t.variant(), "records decoded", t.delivered(), w.records());
    check(failed, t.variant(), "ClockSync samples decoded", baseline.clockSamples(),
        w.clockSamples());
    report.note(t.variant(), String.format("round %d: %d records decoded, %d failures, "
        + "checksum %d", round, t.delivered(), baseline.failures(), baseline.checksum()));
    progress(progress, round, t);
  }

  private static void check(List<String> failed, String variant, String what, long actual,
      long expected) {
    if (actual != expected) {
      failed.add(String.format("%s: %s %d, expected %d", variant, what, actual, expected));
    }
  }

  private static void progress(PrintStream out, int round, Throughput t) {
    out.printf("round %d  %-16s %10.0f records/s  (%.2f s steady, %.2f s total)%n", round,
        t.variant(), t.recordsPerSecond(), t.steadyNs() / 1e9, t.totalNs() / 1e9);
    out.flush();
  }

  /** Records in a topic (sum of its partitions' end offsets). */
  private static long recordsIn(String bootstrap, String topic) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (TopicPartitionInfo info : admin.describeTopics(List.of(topic)).allTopicNames()
          .get(60, TimeUnit.SECONDS).get(topic).partitions()) {
        latest.put(new TopicPartition(topic, info.partition()), OffsetSpec.latest());
      }
      long total = 0;
      for (ListOffsetsResultInfo r : admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS)
          .values()) {
        total += r.offset();
      }
      return total;
    }
  }

  static void deleteTopics(String bootstrap, List<String> topics) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      admin.deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("could not delete the benchmark topics " + topics + ": " + e);
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new DecodeAlignBenchmark()).execute(args));
  }
}
