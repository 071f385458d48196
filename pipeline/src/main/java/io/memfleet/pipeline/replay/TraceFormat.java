package io.memfleet.pipeline.replay;

import io.memfleet.pipeline.model.RawRecord;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a {@link Trace} file as {@link RawRecord}s for Flink's {@code FileSource}, so a replay
 * feeds the pipeline the same records its Kafka sources would have read. Not splittable: a trace
 * is one gzip stream.
 *
 * <pre>{@code
 * FileSource<RawRecord> source = FileSource.forRecordStreamFormat(new TraceFormat(),
 *     new org.apache.flink.core.fs.Path(trace.toUri())).build();
 * }</pre>
 */
public final class TraceFormat extends SimpleStreamFormat<RawRecord> {
  private static final long serialVersionUID = 1L;

  @Override
  public StreamFormat.Reader<RawRecord> createReader(Configuration config,
      FSDataInputStream stream) throws IOException {
    Trace.Reader reader = Trace.reader(stream, "trace");
    return new StreamFormat.Reader<>() {
      @Override
      public RawRecord read() throws IOException {
        return reader.next();
      }

      @Override
      public void close() throws IOException {
        reader.close();
      }
    };
  }

  @Override
  public TypeInformation<RawRecord> getProducedType() {
    return TypeInformation.of(RawRecord.class);
  }
}
