package io.memfleet.pipeline.detect;

import io.memfleet.pipeline.model.EnumConstantsSnapshot;
import io.memfleet.pipeline.model.OwnSerializer;
import io.memfleet.pipeline.model.OwnTypeInfo;
import io.memfleet.pipeline.model.WireStrings;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link SeriesBucket}'s own Flink serializer (declared on the class with {@code @TypeInfo}):
 * every open bucket of every series of every process sits in the observation stage's state, and
 * most of a bucket's two dozen figures are at their "unknown" value for any one signal. Written:
 * the signal's ordinal, the series, the bucket, then one mask saying which optional figures are
 * present and which figures are whole numbers — those (bytes, counts) as variable-length
 * integers, the rest as doubles. Flink's POJO serializer wrote all of them, 8 bytes each.
 *
 * <p>Lossless: every field reads back as written (NaN, infinities and -0.0 included).
 */
public final class SeriesBucketSerializer extends OwnSerializer<SeriesBucket> {
  private static final long serialVersionUID = 1L;
  public static final SeriesBucketSerializer INSTANCE = new SeriesBucketSerializer();

  private static final int RECLAIMED = 1;
  private static final int COMPANION = 1 << 1;
  private static final int CONFIRMED_MIN = 1 << 2;
  private static final int LIVE = 1 << 3;
  private static final int LIVE_UTC = 1 << 4;
  private static final int USED = 1 << 5;
  private static final int USED_UTC = 1 << 6;
  private static final int PAUSE_EVENTS = 1 << 7;
  private static final int CYCLE_PAUSES = 1 << 8;
  private static final int GC_CPU = 1 << 9;
  private static final int HEAP_RATIO = 1 << 10;
  private static final int BRK = 1 << 11;
  private static final int MMAP = 1 << 12;
  private static final int STACK_HASH = 1 << 13;
  /** The first of nine bits, one per double figure, set when it is written as a whole number. */
  private static final int WHOLE = 14;
  private static final long G1 = 1L << 23;

  /** The presence bit of each double figure; min, max and last are always written. */
  private static final int[] PRESENT =
      {0, 0, 0, COMPANION, CONFIRMED_MIN, LIVE, USED, GC_CPU, HEAP_RATIO};
  private static final Signal[] SIGNALS = Signal.values();

  private SeriesBucketSerializer() {
    super("a SeriesBucket");
  }

  @Override
  public SeriesBucket createInstance() {
    return new SeriesBucket();
  }

  @Override
  public SeriesBucket copy(SeriesBucket from) {
    SeriesBucket c = new SeriesBucket();
    c.signal = from.signal;
    c.series = from.series;
    c.bucketIndex = from.bucketIndex;
    c.bucketStartUtcNs = from.bucketStartUtcNs;
    c.lastUtcNs = from.lastUtcNs;
    c.count = from.count;
    c.min = from.min;
    c.max = from.max;
    c.last = from.last;
    c.companion = from.companion;
    c.confirmedMin = from.confirmedMin;
    c.reclaimed = from.reclaimed;
    c.g1 = from.g1;
    c.live = from.live;
    c.liveUtcNs = from.liveUtcNs;
    c.usedCompanion = from.usedCompanion;
    c.usedCompanionUtcNs = from.usedCompanionUtcNs;
    c.pauseEventsNs = from.pauseEventsNs;
    c.cyclePausesNs = from.cyclePausesNs;
    c.gcCpuFraction = from.gcCpuFraction;
    c.heapRatio = from.heapRatio;
    c.brkBytes = from.brkBytes;
    c.mmapBytes = from.mmapBytes;
    c.stackHash = from.stackHash;
    c.stackFrames = from.stackFrames;
    return c;
  }

  @Override
  public void serialize(SeriesBucket b, DataOutputView out) throws IOException {
    double[] figures = figures(b);
    long mask = (b.reclaimed ? RECLAIMED : 0)
        | (Double.isNaN(b.companion) ? 0 : COMPANION)
        | (b.confirmedMin == Double.POSITIVE_INFINITY ? 0 : CONFIRMED_MIN)
        | (Double.isNaN(b.live) ? 0 : LIVE) | (b.liveUtcNs != 0 ? LIVE_UTC : 0)
        | (Double.isNaN(b.usedCompanion) ? 0 : USED) | (b.usedCompanionUtcNs != 0 ? USED_UTC : 0)
        | (b.pauseEventsNs != 0 ? PAUSE_EVENTS : 0) | (b.cyclePausesNs != 0 ? CYCLE_PAUSES : 0)
        | (Double.doubleToRawLongBits(b.gcCpuFraction) != 0 ? GC_CPU : 0)
        | (Double.isNaN(b.heapRatio) ? 0 : HEAP_RATIO)
        | (b.brkBytes != 0 ? BRK : 0) | (b.mmapBytes != 0 ? MMAP : 0)
        | (b.stackHash != 0 ? STACK_HASH : 0) | (b.g1 ? G1 : 0);
    for (int i = 0; i < figures.length; i++) {
      if (wholeNumber(figures[i])) {
        mask |= 1L << (WHOLE + i);
      }
    }
    out.writeByte(ordinal(b.signal));
    WireStrings.write(b.series, out);
    writeVarLong(out, mask);
    writeVarLong(out, b.bucketIndex);
    out.writeLong(b.bucketStartUtcNs);
    writeVarLong(out, b.lastUtcNs - b.bucketStartUtcNs);
    writeVarLong(out, b.count);
    for (int i = 0; i < figures.length; i++) {
      if (i < 3 || (mask & PRESENT[i]) != 0) {
        writeFigure(out, figures[i], (mask & (1L << (WHOLE + i))) != 0);
      }
    }
    if ((mask & LIVE_UTC) != 0) {
      writeVarLong(out, b.liveUtcNs - b.bucketStartUtcNs);
    }
    if ((mask & USED_UTC) != 0) {
      writeVarLong(out, b.usedCompanionUtcNs - b.bucketStartUtcNs);
    }
    if ((mask & PAUSE_EVENTS) != 0) {
      writeVarLong(out, b.pauseEventsNs);
    }
    if ((mask & CYCLE_PAUSES) != 0) {
      writeVarLong(out, b.cyclePausesNs);
    }
    if ((mask & BRK) != 0) {
      writeVarLong(out, b.brkBytes);
    }
    if ((mask & MMAP) != 0) {
      writeVarLong(out, b.mmapBytes);
    }
    if ((mask & STACK_HASH) != 0) {
      out.writeLong(b.stackHash);
    }
    WireStrings.write(b.stackFrames, out);
  }

  @Override
  public SeriesBucket deserialize(DataInputView in) throws IOException {
    SeriesBucket b = new SeriesBucket();
    b.signal = constant(SIGNALS, in.readByte());
    b.series = WireStrings.read(in);
    long mask = readVarLong(in);
    if (mask < 0 || mask >= G1 << 1) {
      throw new IOException("a figure mask of " + mask + ": the bytes are not a SeriesBucket of "
          + "this version");
    }
    b.bucketIndex = readVarLong(in);
    b.bucketStartUtcNs = in.readLong();
    b.lastUtcNs = b.bucketStartUtcNs + readVarLong(in);
    b.count = (int) readVarLong(in);
    b.min = readFigure(in, mask, 0);
    b.max = readFigure(in, mask, 1);
    b.last = readFigure(in, mask, 2);
    b.companion = (mask & COMPANION) != 0 ? readFigure(in, mask, 3) : Double.NaN;
    b.confirmedMin = (mask & CONFIRMED_MIN) != 0 ? readFigure(in, mask, 4)
        : Double.POSITIVE_INFINITY;
    b.live = (mask & LIVE) != 0 ? readFigure(in, mask, 5) : Double.NaN;
    b.usedCompanion = (mask & USED) != 0 ? readFigure(in, mask, 6) : Double.NaN;
    b.gcCpuFraction = (mask & GC_CPU) != 0 ? readFigure(in, mask, 7) : 0;
    b.heapRatio = (mask & HEAP_RATIO) != 0 ? readFigure(in, mask, 8) : Double.NaN;
    b.reclaimed = (mask & RECLAIMED) != 0;
    b.g1 = (mask & G1) != 0;
    b.liveUtcNs = (mask & LIVE_UTC) != 0
        ? b.bucketStartUtcNs + readVarLong(in) : 0;
    b.usedCompanionUtcNs = (mask & USED_UTC) != 0
        ? b.bucketStartUtcNs + readVarLong(in) : 0;
    b.pauseEventsNs = (mask & PAUSE_EVENTS) != 0 ? readVarLong(in) : 0;
    b.cyclePausesNs = (mask & CYCLE_PAUSES) != 0 ? readVarLong(in) : 0;
    b.brkBytes = (mask & BRK) != 0 ? readVarLong(in) : 0;
    b.mmapBytes = (mask & MMAP) != 0 ? readVarLong(in) : 0;
    b.stackHash = (mask & STACK_HASH) != 0 ? in.readLong() : 0;
    b.stackFrames = WireStrings.read(in);
    return b;
  }

  /** The double figures, in the order of their whole-number bits. */
  private static double[] figures(SeriesBucket b) {
    return new double[] {b.min, b.max, b.last, b.companion, b.confirmedMin, b.live,
        b.usedCompanion, b.gcCpuFraction, b.heapRatio};
  }

  private static void writeFigure(DataOutputView out, double v, boolean whole)
      throws IOException {
    if (whole) {
      writeVarLong(out, (long) v);
    } else {
      out.writeDouble(v);
    }
  }

  private double readFigure(DataInputView in, long mask, int index) throws IOException {
    return (mask & (1L << (WHOLE + index))) != 0 ? (double) readVarLong(in)
        : in.readDouble();
  }

  @Override
  public TypeSerializerSnapshot<SeriesBucket> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The signals at the time the state was written; nothing else to configure. */
  public static final class Snapshot extends EnumConstantsSnapshot<SeriesBucket> {
    /** For Flink's reflective instantiation on restore. */
    public Snapshot() {
      super(INSTANCE, "SeriesBucket", SIGNALS);
    }
  }

  /** What {@code @TypeInfo} on {@link SeriesBucket} names. */
  public static final class Factory extends TypeInfoFactory<SeriesBucket> {
    @Override
    public TypeInformation<SeriesBucket> createTypeInfo(java.lang.reflect.Type t,
        java.util.Map<String, TypeInformation<?>> genericParameters) {
      return OwnTypeInfo.value(SeriesBucket.class, INSTANCE);
    }
  }
}
