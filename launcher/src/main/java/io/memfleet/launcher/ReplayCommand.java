package io.memfleet.launcher;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.OomSnapshot;
import io.memfleet.pipeline.PipelineOptions;
import io.memfleet.pipeline.replay.Replay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code memfleet replay}: a recorded trace through the pipeline's detection and forensics. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Replay a trace (memfleet record) through the pipeline — clock alignment, "
        + "join, detection rules, OOM forensics — on a local Flink environment as fast as the "
        + "machine runs it, and print the alerts and OOM snapshots it produces.",
        "Event time makes the result what the pipeline concludes live, with the shipped "
        + "defaults unless -D overrides them."})
final class ReplayCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "TRACE", description = "Trace file to replay; "
      + "several (in the order they were recorded, e.g. an eval's batch-1 and batch-2) are "
      + "replayed as one.")
  List<Path> traces;

  @Option(names = "--out", description = "Directory to keep the replay's outputs in (alerts, "
      + "snapshots as records files); default: a temporary directory, deleted at the end.")
  Path out;

  @Option(names = "--parallelism", defaultValue = "1",
      description = "Operator parallelism (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(names = "-D", paramLabel = "KEY=VALUE", description = "A pipeline option, e.g. "
      + "-D memfleet.detect.bucket=10s (see the pipeline README).")
  Map<String, String> properties = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Configuration conf = new Configuration();
    properties.forEach((k, v) -> PipelineOptions.set(conf, k, v));
    Path dir = out != null ? out : Files.createTempDirectory("memfleet-replay-");
    Replay.Result r;
    try {
      r = replay(conf, dir);
    } finally {
      if (out == null) {
        DownCommand.deleteTree(dir);
      }
    }
    System.out.printf("replayed in %.1f s: %d alert messages, %d OOM snapshots, %d dead "
        + "letters%n", r.took().toMillis() / 1e3, r.alerts().size(), r.snapshots().size(),
        r.deadLetters());
    print(r.alerts(), r.snapshots());
    return 0;
  }

  /** Joins the traces when there are several (the copy is deleted after), and replays them. */
  private Replay.Result replay(Configuration conf, Path dir) throws Exception {
    if (traces.size() == 1) {
      System.out.println("memfleet replay: " + traces.get(0) + (out == null ? ""
          : " (outputs under " + out + ")"));
      return Replay.run(traces.get(0), conf, parallelism, dir);
    }
    Path joined = dir.resolve("joined.mftrace");
    try {
      long n = io.memfleet.pipeline.replay.Trace.join(traces, joined);
      System.out.println("memfleet replay: " + traces.size() + " traces joined, " + n
          + " records" + (out == null ? "" : " (outputs under " + out + ")"));
      return Replay.run(joined, conf, parallelism, dir);
    } finally {
      Files.deleteIfExists(joined);
    }
  }

  static void print(List<Alert> alerts, List<OomSnapshot> snapshots) {
    List<List<String>> rows = new java.util.ArrayList<>();
    alerts.stream().filter(a -> a.getStatus() != AlertStatus.UPDATED)
        .sorted(Comparator.comparingLong(Alert::getLastSeenUtcNs))
        .forEach(a -> rows.add(List.of(Instant.ofEpochMilli(a.getFirstSeenUtcNs() / 1_000_000).toString(),
            a.getStatus().toString(), a.getRule(), a.getProcess().getPid() + " "
                + (a.getProcess().getService() != null ? a.getProcess().getService()
                : a.getProcess().getComm()),
            a.getPool() == null ? "" : a.getPool().toString(),
            a.getVerdict() != null ? a.getVerdict() : a.getSummary())));
    TextTable.print(System.out, List.of("first seen (UTC)", "status", "rule", "process", "pool",
        "verdict"), rows);
    for (OomSnapshot s : snapshots) {
      System.out.printf("OOM %s pid %d %s: %d events; %s%n",
          Instant.ofEpochMilli(s.getKillUtcNs() / 1_000_000), s.getProcess().getPid(),
          s.getProcess().getComm(), s.getEvents().size(),
          s.getVerdict() == null ? "" : s.getVerdict());
    }
  }
}
