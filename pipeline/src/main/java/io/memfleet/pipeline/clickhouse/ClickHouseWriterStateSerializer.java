package io.memfleet.pipeline.clickhouse;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Checkpoint form of {@link ClickHouseWriterState}. Version 1: lineage (UTF-8), checkpoint id. */
public final class ClickHouseWriterStateSerializer
    implements SimpleVersionedSerializer<ClickHouseWriterState> {
  static final int VERSION = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(ClickHouseWriterState state) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      ClickHouseBatchSerializer.writeString(out, state.lineage());
      out.writeLong(state.checkpointId());
    }
    return bytes.toByteArray();
  }

  @Override
  public ClickHouseWriterState deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION) {
      throw new IOException("unknown ClickHouseWriterState serializer version " + version
          + " (this build reads version " + VERSION + ")");
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
      return new ClickHouseWriterState(ClickHouseBatchSerializer.readString(in), in.readLong());
    }
  }
}
