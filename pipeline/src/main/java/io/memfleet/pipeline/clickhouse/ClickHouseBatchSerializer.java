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
 * Checkpoint form of {@link ClickHouseBatch}. Version 1: batch id, table, row count, then each row
 * as a length-prefixed UTF-8 byte string (rows can exceed the 64 KiB limit of writeUTF).
 */
public final class ClickHouseBatchSerializer implements SimpleVersionedSerializer<ClickHouseBatch> {
  static final int VERSION = 1;

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
      out.writeInt(batch.rows().size());
      for (String row : batch.rows()) {
        writeString(out, row);
      }
    }
    return bytes.toByteArray();
  }

  @Override
  public ClickHouseBatch deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION) {
      throw new IOException("unknown ClickHouseBatch serializer version " + version
          + " (this build reads version " + VERSION + ")");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
      String id = readString(in);
      String table = readString(in);
      int n = in.readInt();
      List<String> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        rows.add(readString(in));
      }
      return new ClickHouseBatch(id, table, rows);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
