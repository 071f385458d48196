package io.memfleet.pipeline.clickhouse;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Checkpoint form of {@link ClickHouseBatch}. Strings are length-prefixed UTF-8 byte strings (rows
 * can exceed the 64 KiB limit of writeUTF).
 *
 * <ul>
 *   <li>Version 2: batch id, table, part count, then per part its partition, row count and rows.
 *   <li>Version 1 (still read): batch id, table, row count, rows — one part.
 * </ul>
 */
public final class ClickHouseBatchSerializer implements SimpleVersionedSerializer<ClickHouseBatch> {
  static final int VERSION = 2;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(ClickHouseBatch batch) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeString(out, batch.batchId());
      writeString(out, batch.table());
      out.writeInt(batch.parts().size());
      for (ClickHouseBatch.Part part : batch.parts()) {
        writeString(out, part.partition());
        out.writeInt(part.rows().size());
        for (String row : part.rows()) {
          writeString(out, row);
        }
      }
    }
    return bytes.toByteArray();
  }

  @Override
  public ClickHouseBatch deserialize(int version, byte[] serialized) throws IOException {
    if (version != 1 && version != VERSION) {
      throw new IOException("unknown ClickHouseBatch serializer version " + version
          + " (this build reads versions 1 and " + VERSION + ")");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
      String id = readString(in);
      String table = readString(in);
      if (version == 1) {
        return ClickHouseBatch.of(id, table, readRows(in));
      }
      int n = in.readInt();
      List<ClickHouseBatch.Part> parts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String partition = readString(in);
        parts.add(new ClickHouseBatch.Part(partition, readRows(in)));
      }
      return new ClickHouseBatch(id, table, parts);
    }
  }

  private static List<String> readRows(DataInputStream in) throws IOException {
    int n = in.readInt();
    List<String> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rows.add(readString(in));
    }
    return rows;
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
