package io.memfleet.pipeline.replay;

import io.memfleet.schema.codec.EventCodec;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes pipeline outputs (alerts, OOM snapshots) to files, one per subtask
 * ({@code <dir>/<prefix>-<subtask>.records}), one record per line in Avro single-object encoding,
 * base64: exact, and readable back with {@link #read}. For replays on one machine, not
 * production, where outputs go to Kafka and ClickHouse.
 */
public final class RecordFileSink<T extends SpecificRecord> implements Sink<T> {
  private static final long serialVersionUID = 1L;
  private final String dir;
  private final String prefix;

  public RecordFileSink(Path dir, String prefix) {
    this.dir = dir.toAbsolutePath().toString();
    this.prefix = prefix;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    Path file = Path.of(dir).resolve(prefix + "-"
        + context.getTaskInfo().getIndexOfThisSubtask() + ".records");
    Files.createDirectories(file.getParent());
    BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII,
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    EventCodec codec = EventCodec.fromClasspath();
    Base64.Encoder base64 = Base64.getEncoder();
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context ctx) throws IOException {
        out.write(base64.encodeToString(codec.encode(element)));
        out.write('\n');
      }

      @Override
      public void flush(boolean endOfInput) throws IOException {
        out.flush();
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }

  /** Every record the sinks with {@code prefix} wrote under {@code dir}, in file order. */
  public static <T extends SpecificRecord> List<T> read(Path dir, String prefix, Class<T> type)
      throws IOException {
    EventCodec codec = EventCodec.fromClasspath();
    List<T> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith(prefix + "-")
          && p.getFileName().toString().endsWith(".records")).sorted().toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.US_ASCII)) {
          if (!line.isBlank()) {
            out.add(type.cast(codec.decode(Base64.getDecoder().decode(line))));
          }
        }
      }
    }
    return out;
  }
}
