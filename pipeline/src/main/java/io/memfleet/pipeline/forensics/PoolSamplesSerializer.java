package io.memfleet.pipeline.forensics;

import io.memfleet.pipeline.model.OwnSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A pool's samples in {@link PoolHistory} ({@code [utcNs, value, utcNs, value, …]}) as they sit in
 * state: when every number is whole (times in ns, bytes, counts — nearly always), each as its step
 * from the one two places before, seven bits a byte (a 2-s step in ns takes 5 bytes, a pool that
 * moved a few MiB 3–4, one that did not move 1); otherwise as plain doubles. 35 samples of a pool
 * take 200–320 bytes instead of Flink's 564.
 *
 * <p>Its snapshot reads state that Flink's {@code double[]} serializer wrote (the pool history's
 * serializer until 2026-12-06) by migrating it, so a savepoint from before restores.
 */
public final class PoolSamplesSerializer extends OwnSerializer<double[]> {
  private static final long serialVersionUID = 1L;
  public static final PoolSamplesSerializer INSTANCE = new PoolSamplesSerializer();
  private static final byte STEPS = 0;
  private static final byte DOUBLES = 1;
  /** Whole doubles below this are longs exactly (and their steps cannot overflow a long). */
  private static final double WHOLE_BOUND = 0x1p61;

  private PoolSamplesSerializer() {
    super("a pool history");
  }

  @Override
  public double[] createInstance() {
    return new double[0];
  }

  @Override
  public double[] copy(double[] from) {
    return from.clone();
  }

  @Override
  public void serialize(double[] samples, DataOutputView out) throws IOException {
    writeVarLong(out, samples.length);
    boolean whole = true;
    for (double v : samples) {
      if (!wholeNumber(v, WHOLE_BOUND)) {
        whole = false;
        break;
      }
    }
    if (!whole) {
      out.writeByte(DOUBLES);
      for (double v : samples) {
        out.writeDouble(v);
      }
      return;
    }
    out.writeByte(STEPS);
    long[] before = new long[2]; // the time and the value before: steps per column
    for (int i = 0; i < samples.length; i++) {
      long v = (long) samples[i];
      writeVarLong(out, v - before[i & 1]);
      before[i & 1] = v;
    }
  }

  @Override
  public double[] deserialize(DataInputView in) throws IOException {
    long n = readVarLong(in);
    if (n < 0 || n > Integer.MAX_VALUE - 8) {
      throw new IOException("a pool history of " + n + " numbers: the bytes are not a pool"
          + " history of this version");
    }
    double[] samples = new double[(int) n];
    byte form = in.readByte();
    if (form == DOUBLES) {
      for (int i = 0; i < samples.length; i++) {
        samples[i] = in.readDouble();
      }
    } else if (form == STEPS) {
      long[] before = new long[2];
      for (int i = 0; i < samples.length; i++) {
        before[i & 1] += readVarLong(in);
        samples[i] = before[i & 1];
      }
    } else {
      throw new IOException("unknown pool history form " + form + ": the bytes are not a pool"
          + " history of this version");
    }
    return samples;
  }

  @Override
  public TypeSerializerSnapshot<double[]> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Nothing to configure; reads Flink's double-array state by migrating it. */
  public static final class Snapshot implements TypeSerializerSnapshot<double[]> {
    private static final int VERSION = 1;

    @Override
    public int getCurrentVersion() {
      return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {}

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
        throws IOException {
      if (readVersion != VERSION) {
        throw new IOException("pool history serializer snapshot version " + readVersion
            + " is not known to this version (" + VERSION + ")");
      }
    }

    @Override
    public TypeSerializer<double[]> restoreSerializer() {
      return INSTANCE;
    }

    @Override
    public TypeSerializerSchemaCompatibility<double[]> resolveSchemaCompatibility(
        TypeSerializerSnapshot<double[]> oldSnapshot) {
      if (oldSnapshot instanceof Snapshot) {
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
      }
      if (oldSnapshot != null
          && oldSnapshot.restoreSerializer() instanceof DoublePrimitiveArraySerializer) {
        return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
      }
      return TypeSerializerSchemaCompatibility.incompatible();
    }
  }
}
