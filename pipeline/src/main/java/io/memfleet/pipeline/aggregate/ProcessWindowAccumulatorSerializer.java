package io.memfleet.pipeline.aggregate;

import io.memfleet.event.Runtime;
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
 * {@link ProcessWindowAccumulator}'s own Flink serializer (declared on the class with
 * {@code @TypeInfo}): every process has an open 10-s and 1-min window in keyed state. Byte and
 * count figures are written as variable-length numbers (a figure a window has not seen is 0: one
 * byte), the figures whose "none" is {@code Long.MIN_VALUE} or {@code MAX_VALUE} only when set
 * (one presence mask), and of the memory breakdown only the measures the window has seen, their
 * times as steps from the first. Flink's POJO serializer wrote 8 bytes a figure and both
 * breakdown arrays whole.
 *
 * <p>Lossless: every field reads back as written.
 */
public final class ProcessWindowAccumulatorSerializer
    extends OwnSerializer<ProcessWindowAccumulator> {
  private static final long serialVersionUID = 1L;
  public static final ProcessWindowAccumulatorSerializer INSTANCE =
      new ProcessWindowAccumulatorSerializer();

  private static final int RSS_LAST_UTC = 1;
  private static final int HEAP_AFTER_GC_MIN = 1 << 1;
  private static final int NATIVE_MAX = 1 << 2;
  private static final int NATIVE_LAST_UTC = 1 << 3;
  private static final int LIVE_SET_MIN = 1 << 4;
  private static final int GC_CPU = 1 << 5;

  private static final Runtime[] RUNTIMES = Runtime.values();

  private ProcessWindowAccumulatorSerializer() {
    super("a ProcessWindowAccumulator");
  }

  @Override
  public ProcessWindowAccumulator createInstance() {
    return new ProcessWindowAccumulator();
  }

  @Override
  public ProcessWindowAccumulator copy(ProcessWindowAccumulator from) {
    ProcessWindowAccumulator c = new ProcessWindowAccumulator();
    c.service = from.service;
    c.namespace = from.namespace;
    c.pod = from.pod;
    c.container = from.container;
    c.comm = from.comm;
    c.runtime = from.runtime;
    c.rssMax = from.rssMax;
    c.rssSum = from.rssSum;
    c.rssCount = from.rssCount;
    c.rssLast = from.rssLast;
    c.rssLastUtcNs = from.rssLastUtcNs;
    c.managedUsedMax = from.managedUsedMax;
    c.managedCommittedMax = from.managedCommittedMax;
    c.managedLimit = from.managedLimit;
    c.heapAfterGcMin = from.heapAfterGcMin;
    c.nativeMax = from.nativeMax;
    c.nativeLast = from.nativeLast;
    c.nativeLastUtcNs = from.nativeLastUtcNs;
    c.cgroupUsageMax = from.cgroupUsageMax;
    c.cgroupLimit = from.cgroupLimit;
    c.threadsMax = from.threadsMax;
    c.goroutinesMax = from.goroutinesMax;
    c.gcCount = from.gcCount;
    c.gcPauseTotalNs = from.gcPauseTotalNs;
    c.gcPauseMaxNs = from.gcPauseMaxNs;
    c.pauses = from.pauses == null ? null : from.pauses.clone();
    c.pauseCount = from.pauseCount;
    c.gcCpuFraction = from.gcCpuFraction;
    c.allocBytes = from.allocBytes;
    c.samples = from.samples;
    c.latest = from.latest == null ? null : from.latest.clone();
    c.latestUtcNs = from.latestUtcNs == null ? null : from.latestUtcNs.clone();
    c.liveSetMin = from.liveSetMin;
    c.heapViews = from.heapViews;
    return c;
  }

  @Override
  public void serialize(ProcessWindowAccumulator a, DataOutputView out) throws IOException {
    WireStrings.write(a.service, out);
    WireStrings.write(a.namespace, out);
    WireStrings.write(a.pod, out);
    WireStrings.write(a.container, out);
    WireStrings.write(a.comm, out);
    out.writeByte(ordinal(a.runtime));
    int mask = (a.rssLastUtcNs != Long.MIN_VALUE ? RSS_LAST_UTC : 0)
        | (a.heapAfterGcMin != Long.MAX_VALUE ? HEAP_AFTER_GC_MIN : 0)
        | (a.nativeMax != Long.MIN_VALUE ? NATIVE_MAX : 0)
        | (a.nativeLastUtcNs != Long.MIN_VALUE ? NATIVE_LAST_UTC : 0)
        | (a.liveSetMin != Long.MAX_VALUE ? LIVE_SET_MIN : 0)
        | (Double.doubleToRawLongBits(a.gcCpuFraction) != 0 ? GC_CPU : 0);
    out.writeByte(mask);
    for (long v : new long[] {a.rssMax, a.rssSum, a.rssCount, a.rssLast, a.managedUsedMax,
        a.managedCommittedMax, a.managedLimit, a.nativeLast, a.cgroupUsageMax, a.cgroupLimit,
        a.threadsMax, a.goroutinesMax, a.gcCount, a.gcPauseTotalNs, a.gcPauseMaxNs,
        a.pauseCount, a.allocBytes, a.samples, a.heapViews}) {
      writeVarLong(out, v);
    }
    if ((mask & RSS_LAST_UTC) != 0) {
      out.writeLong(a.rssLastUtcNs);
    }
    if ((mask & HEAP_AFTER_GC_MIN) != 0) {
      writeVarLong(out, a.heapAfterGcMin);
    }
    if ((mask & NATIVE_MAX) != 0) {
      writeVarLong(out, a.nativeMax);
    }
    if ((mask & NATIVE_LAST_UTC) != 0) {
      out.writeLong(a.nativeLastUtcNs);
    }
    if ((mask & LIVE_SET_MIN) != 0) {
      writeVarLong(out, a.liveSetMin);
    }
    if ((mask & GC_CPU) != 0) {
      out.writeDouble(a.gcCpuFraction);
    }
    writeArray(out, a.pauses);
    writeBreakdown(out, a.latest, a.latestUtcNs);
  }

  @Override
  public ProcessWindowAccumulator deserialize(DataInputView in) throws IOException {
    ProcessWindowAccumulator a = new ProcessWindowAccumulator();
    a.service = WireStrings.read(in);
    a.namespace = WireStrings.read(in);
    a.pod = WireStrings.read(in);
    a.container = WireStrings.read(in);
    a.comm = WireStrings.read(in);
    a.runtime = constant(RUNTIMES, in.readByte());
    int mask = in.readByte();
    a.rssMax = readVarLong(in);
    a.rssSum = readVarLong(in);
    a.rssCount = (int) readVarLong(in);
    a.rssLast = readVarLong(in);
    a.managedUsedMax = readVarLong(in);
    a.managedCommittedMax = readVarLong(in);
    a.managedLimit = readVarLong(in);
    a.nativeLast = readVarLong(in);
    a.cgroupUsageMax = readVarLong(in);
    a.cgroupLimit = readVarLong(in);
    a.threadsMax = readVarLong(in);
    a.goroutinesMax = readVarLong(in);
    a.gcCount = (int) readVarLong(in);
    a.gcPauseTotalNs = readVarLong(in);
    a.gcPauseMaxNs = readVarLong(in);
    a.pauseCount = (int) readVarLong(in);
    a.allocBytes = readVarLong(in);
    a.samples = (int) readVarLong(in);
    a.heapViews = (int) readVarLong(in);
    a.rssLastUtcNs = (mask & RSS_LAST_UTC) != 0 ? in.readLong() : Long.MIN_VALUE;
    a.heapAfterGcMin = (mask & HEAP_AFTER_GC_MIN) != 0 ? readVarLong(in) : Long.MAX_VALUE;
    a.nativeMax = (mask & NATIVE_MAX) != 0 ? readVarLong(in) : Long.MIN_VALUE;
    a.nativeLastUtcNs = (mask & NATIVE_LAST_UTC) != 0 ? in.readLong() : Long.MIN_VALUE;
    a.liveSetMin = (mask & LIVE_SET_MIN) != 0 ? readVarLong(in) : Long.MAX_VALUE;
    a.gcCpuFraction = (mask & GC_CPU) != 0 ? in.readDouble() : 0;
    a.pauses = readArray(in);
    long[][] breakdown = readBreakdown(in);
    a.latest = breakdown[0];
    a.latestUtcNs = breakdown[1];
    return a;
  }

  /** Length + 1 (0 for null), then the values. */
  private static void writeArray(DataOutputView out, long[] values) throws IOException {
    if (values == null) {
      writeVarLong(out, 0);
      return;
    }
    writeVarLong(out, values.length + 1L);
    for (long v : values) {
      writeVarLong(out, v);
    }
  }

  private long[] readArray(DataInputView in) throws IOException {
    int n = length(readVarLong(in));
    if (n < 0) {
      return null;
    }
    long[] values = new long[n];
    for (int i = 0; i < n; i++) {
      values[i] = readVarLong(in);
    }
    return values;
  }

  /**
   * Both arrays' lengths, a mask of the measures a window has (a time, or a value), the first
   * such time whole and the others as steps from it, and their values.
   */
  private static void writeBreakdown(DataOutputView out, long[] latest, long[] times)
      throws IOException {
    int n = Math.max(latest == null ? 0 : latest.length, times == null ? 0 : times.length);
    if (n > 63) {
      throw new IOException("a breakdown of " + n + " measures: at most 63 are written");
    }
    writeVarLong(out, latest == null ? 0 : latest.length + 1L);
    writeVarLong(out, times == null ? 0 : times.length + 1L);
    long mask = 0;
    for (int i = 0; i < n; i++) {
      long value = latest != null && i < latest.length ? latest[i] : 0;
      long time = times != null && i < times.length ? times[i] : Long.MIN_VALUE;
      if (value != 0 || time != Long.MIN_VALUE) {
        mask |= 1L << i;
      }
    }
    writeVarLong(out, mask);
    long previous = 0;
    for (int i = 0; i < n; i++) {
      if ((mask & (1L << i)) != 0) {
        long time = times != null && i < times.length ? times[i] : Long.MIN_VALUE;
        writeVarLong(out, time - previous); // wraps for an unseen one: still exact
        previous = time;
        writeVarLong(out, latest != null && i < latest.length ? latest[i] : 0);
      }
    }
  }

  private long[][] readBreakdown(DataInputView in) throws IOException {
    int valuesLength = length(readVarLong(in));
    int timesLength = length(readVarLong(in));
    long[] latest = valuesLength < 0 ? null : new long[valuesLength];
    long[] times = timesLength < 0 ? null : new long[timesLength];
    if (times != null) {
      java.util.Arrays.fill(times, Long.MIN_VALUE);
    }
    long mask = readVarLong(in);
    int n = Math.max(valuesLength, timesLength);
    if (n > 63 || (n < 63 && mask >>> Math.max(n, 0) != 0)) {
      throw new IOException("a breakdown mask beyond its " + n + " measures: the bytes are not a "
          + "ProcessWindowAccumulator of this version");
    }
    long previous = 0;
    for (int i = 0; i < n; i++) {
      if ((mask & (1L << i)) != 0) {
        long time = previous + readVarLong(in);
        previous = time;
        long value = readVarLong(in);
        if (times != null && i < times.length) {
          times[i] = time;
        }
        if (latest != null && i < latest.length) {
          latest[i] = value;
        }
      }
    }
    return new long[][] {latest, times};
  }

  /** A length written + 1 (0 for null): -1 for null. */
  private static int length(long written) throws IOException {
    if (written < 0 || written > 1 << 20) {
      throw new IOException("an array of " + (written - 1) + " values: the bytes are not a "
          + "ProcessWindowAccumulator of this version");
    }
    return (int) written - 1;
  }

  @Override
  public TypeSerializerSnapshot<ProcessWindowAccumulator> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The runtimes at the time the state was written; nothing else to configure. */
  public static final class Snapshot extends EnumConstantsSnapshot<ProcessWindowAccumulator> {
    /** For Flink's reflective instantiation on restore. */
    public Snapshot() {
      super(INSTANCE, "ProcessWindowAccumulator", RUNTIMES);
    }
  }

  /** What {@code @TypeInfo} on {@link ProcessWindowAccumulator} names. */
  public static final class Factory extends TypeInfoFactory<ProcessWindowAccumulator> {
    @Override
    public TypeInformation<ProcessWindowAccumulator> createTypeInfo(java.lang.reflect.Type t,
        java.util.Map<String, TypeInformation<?>> genericParameters) {
      return OwnTypeInfo.value(ProcessWindowAccumulator.class, INSTANCE);
    }
  }
}
