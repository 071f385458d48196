package io.memfleet.pipeline.replay;

import io.memfleet.pipeline.model.RawRecord;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A recorded trace: Kafka records of memfleet's event and clock topics exactly as they were
 * published (topic, partition, offset, publish time, key, value bytes), in the order they were
 * read, gzip-compressed. Replaying a trace through the pipeline reproduces what the pipeline
 * would have concluded live, in event time, as fast as the machine runs it.
 *
 * <pre>
 * file    = gzip( magic "MFTRACE1" , record* )
 * record  = topic (UTF, DataOutput.writeUTF) partition (int) offset (long) publishMs (long)
 *           key (int length, -1 = null; bytes) value (int length, -1 = null; bytes)
 * </pre>
 *
 * <pre>{@code
 * try (Trace.Writer w = Trace.writer(path)) { w.write(record); }
 * try (Trace.Reader r = Trace.reader(path)) { for (RawRecord x; (x = r.next()) != null; ) ... }
 * }</pre>
 */
public final class Trace {
  static final byte[] MAGIC = "MFTRACE1".getBytes(StandardCharsets.US_ASCII);
  /** Largest key or value a reader accepts: a Kafka record is far smaller. */
  static final int MAX_BYTES = 64 << 20;

  private Trace() {}

  public static Writer writer(Path path) throws IOException {
    return new Writer(Files.newOutputStream(path));
  }

  public static Reader reader(Path path) throws IOException {
    return new Reader(Files.newInputStream(path), path.toString());
  }

  /**
   * Writes the records of {@code traces}, one after the other, to {@code out}: traces recorded
   * one after another (an eval's batches, a recording cut into files) replayed as one, so a
   * finding whose run crosses from one file into the next is seen. The traces must be given in
   * time order: one whose first record was published before the end of the one before is
   * refused, naming both (its records would come late in event time).
   *
   * @return the number of records written
   */
  public static long join(List<Path> traces, Path out) throws IOException {
    long previousLastMs = Long.MIN_VALUE;
    Path previous = null;
    try (Writer w = writer(out)) {
      for (Path t : traces) {
        long firstMs = Long.MIN_VALUE;
        long lastMs = Long.MIN_VALUE;
        try (Reader r = reader(t)) {
          for (RawRecord x; (x = r.next()) != null; ) {
            if (firstMs == Long.MIN_VALUE) {
              firstMs = x.timestampMs;
              if (firstMs < previousLastMs) {
                throw new IOException(t + " begins (" + java.time.Instant.ofEpochMilli(firstMs)
                    + ") before " + previous + " ends (" + java.time.Instant.ofEpochMilli(
                    previousLastMs) + "): give the traces in the order they were recorded");
              }
            }
            lastMs = Math.max(lastMs, x.timestampMs);
            w.write(x);
          }
        }
        if (lastMs != Long.MIN_VALUE) {
          previousLastMs = lastMs;
          previous = t;
        }
      }
      return w.records();
    }
  }

  /** Reads a trace from a stream (gzip-compressed, as written). */
  public static Reader reader(InputStream in, String name) throws IOException {
    return new Reader(in, name);
  }

  /** Appends records; not thread-safe. */
  public static final class Writer implements AutoCloseable {
    private final DataOutputStream out;
    private long records;

    Writer(OutputStream raw) throws IOException {
      this.out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(raw, 1 << 16),
          1 << 16));
      out.write(MAGIC);
    }

    public void write(RawRecord r) throws IOException {
      out.writeUTF(r.topic);
      out.writeInt(r.partition);
      out.writeLong(r.offset);
      out.writeLong(r.timestampMs);
      bytes(r.key);
      bytes(r.value);
      records++;
    }

    private void bytes(byte[] b) throws IOException {
      if (b == null) {
        out.writeInt(-1);
      } else {
        out.writeInt(b.length);
        out.write(b);
      }
    }

    public long records() {
      return records;
    }

    /** Pushes what is buffered to the file (a trace cut here reads to this point). */
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /** Reads records in file order; {@link #next()} returns null at the end. */
  public static final class Reader implements AutoCloseable {
    private final DataInputStream in;
    private final String name;
    private long records;

    Reader(InputStream raw, String name) throws IOException {
      this.name = name;
      this.in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16),
          1 << 16));
      byte[] magic = new byte[MAGIC.length];
      try {
        in.readFully(magic);
      } catch (EOFException e) {
        throw new IOException(name + " is not a memfleet trace: too short");
      }
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException(name + " is not a memfleet trace (no MFTRACE1 header)");
      }
    }

    /**
     * The next record, or null at the end of the trace. A trace cut short in the middle of a
     * record (a recorder killed while writing) ends at the last whole record.
     *
     * @throws IOException naming the trace and record number when the file is corrupt
     */
    public RawRecord next() throws IOException {
      String topic;
      try {
        topic = in.readUTF();
      } catch (EOFException end) {
        return null;
      }
      try {
        RawRecord r = RawRecord.of(topic, in.readInt(), in.readLong(), in.readLong(), bytes(),
            bytes());
        records++;
        return r;
      } catch (EOFException cut) {
        return null;
      }
    }

    private byte[] bytes() throws IOException {
      int n = in.readInt();
      if (n == -1) {
        return null;
      }
      if (n < 0 || n > MAX_BYTES) {
        throw new IOException(name + ": record " + (records + 1) + " claims " + n
            + " bytes; the trace is corrupt");
      }
      byte[] b = new byte[n];
      in.readFully(b);
      return b;
    }

    public long records() {
      return records;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
