package io.memfleet.pipeline.replay;

import io.memfleet.event.Alert;
import io.memfleet.event.DeadLetter;
import io.memfleet.event.OomSnapshot;
import io.memfleet.pipeline.MemfleetJob;
import io.memfleet.pipeline.detect.DetectionExtension;
import io.memfleet.pipeline.forensics.ForensicsExtension;
import io.memfleet.pipeline.model.RawRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Replays a {@link Trace} through the pipeline with its detection and forensics, on a local Flink
 * environment, as fast as the machine runs it: event time makes the result what the pipeline
 * would have concluded live, so hours of a slow leak or of a hard negative take seconds.
 * Alerts, OOM snapshots and dead letters are written under {@code outDir} and returned.
 *
 * <pre>{@code
 * Replay.Result r = Replay.run(Path.of("slow-leak.mftrace"), new Configuration(), 1, outDir);
 * r.alerts().forEach(a -> System.out.println(a.getRule() + " " + a.getStatus()));
 * }</pre>
 *
 * <p>The configuration is the production one (detection and forensics defaults, or what
 * {@code conf} sets); ClickHouse and Kafka outputs are not attached.
 */
public final class Replay {
  private Replay() {}

  /** What a replay produced, and how long it took. */
  public record Result(List<Alert> alerts, List<OomSnapshot> snapshots, long deadLetters,
      Duration took) {}

  public static Result run(Path trace, Configuration conf, int parallelism, Path outDir)
      throws Exception {
    if (!Files.isRegularFile(trace)) {
      throw new IOException("no trace at " + trace);
    }
    try (Trace.Reader check = Trace.reader(trace)) {
      check.next(); // refuses a file that is not a trace before Flink starts
    }
    Files.createDirectories(outDir);
    Configuration cluster = new Configuration();
    // a trace is one file, one split: the file reader cannot pause it, and the watermark
    // alignment the job asks for (between Kafka sources) has nothing to align here
    cluster.setString("pipeline.watermark-alignment.allow-unaligned-source-splits", "true");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(
        parallelism, cluster);
    FileSource<RawRecord> source = FileSource.forRecordStreamFormat(new TraceFormat(),
        new org.apache.flink.core.fs.Path(trace.toAbsolutePath().toUri())).build();
    MemfleetJob.builder(conf)
        .source("trace", source)
        .deadLetterSink(new RecordFileSink<DeadLetter>(outDir, "dead-letters"))
        .extension(new DetectionExtension(Map.of()))
        .extension(new ForensicsExtension(Map.of()))
        .sink(DetectionExtension.ALERTS, new RecordFileSink<Alert>(outDir, "alerts"))
        .sink(ForensicsExtension.OOM_SNAPSHOTS, new RecordFileSink<OomSnapshot>(outDir,
            "snapshots"))
        .build()
        .attach(env);
    long started = System.nanoTime();
    env.execute("memfleet replay " + trace.getFileName());
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    return new Result(RecordFileSink.read(outDir, "alerts", Alert.class),
        RecordFileSink.read(outDir, "snapshots", OomSnapshot.class),
        RecordFileSink.read(outDir, "dead-letters", DeadLetter.class).size(), took);
  }
}
