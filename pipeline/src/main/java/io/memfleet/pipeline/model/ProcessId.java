package io.memfleet.pipeline.model;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Which process an event is about: cluster, node, pid and the process's start time (a pid reused
 * by a later process is another process). The key of every per-process stage.
 *
 * <p>It <em>hashes</em> by cluster, node and pid only, and Flink places a key by its hash. So a
 * process, its {@link #victim} (the same pid with no start time: the key of OOM forensics, since
 * a kernel OOM kill may not say when its victim started) and its {@link ProcessScopedKey}s (a
 * rule's series, an allocation stack) all fall into the key group of the process: the stages
 * keyed by them read the per-process join's output where the join left it (Flink's
 * {@code reinterpretAsKeyedStream}), with no second shuffle. Equality takes all four fields.
 *
 * <pre>{@code
 * aligned.keyBy(TimedEvent::processId);
 * DataStreamUtils.reinterpretAsKeyedStream(joined, e -> e.processId().victim());
 * }</pre>
 */
@TypeInfo(ProcessId.Factory.class)
public final class ProcessId {
  public final String cluster;
  public final String node;
  public final int pid;
  /** When the process started, epoch ms; 0 when unknown (and in a {@link #victim}). */
  public final long startMs;

  public ProcessId(String cluster, String node, int pid, long startMs) {
    this.cluster = cluster == null ? "" : cluster;
    this.node = node == null ? "" : node;
    this.pid = pid;
    this.startMs = startMs;
  }

  /** The same pid on the same node with no start time: whichever process had it. */
  public ProcessId victim() {
    return startMs == 0 ? this : new ProcessId(cluster, node, pid, 0);
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true; // the key of one event's stages, asked for again
    }
    return o instanceof ProcessId p && pid == p.pid && startMs == p.startMs
        && cluster.equals(p.cluster) && node.equals(p.node);
  }

  /** Of cluster, node and pid, not the start time (class comment); the same in every JVM. */
  @Override
  public int hashCode() {
    return (cluster.hashCode() * 31 + node.hashCode()) * 31 + pid;
  }

  /** {@code cluster/node/pid/startMs}: {@link TimedEvent#processKey()}. */
  @Override
  public String toString() {
    return TimedEvent.processKey(cluster, node, pid, startMs);
  }

  /** What {@code @TypeInfo} names: a key type written by {@link Serializer}. */
  public static final class Factory extends TypeInfoFactory<ProcessId> {
    @Override
    public TypeInformation<ProcessId> createTypeInfo(Type t,
        Map<String, TypeInformation<?>> genericParameters) {
      return OwnTypeInfo.key(ProcessId.class, Serializer.INSTANCE);
    }
  }

  /** Cluster and node as UTF strings, then pid and start time; immutable, so copies are itself. */
  public static final class Serializer extends ImmutableKeySerializer<ProcessId> {
    private static final long serialVersionUID = 1L;
    public static final Serializer INSTANCE = new Serializer();

    @Override
    public ProcessId createInstance() {
      return new ProcessId("", "", 0, 0);
    }

    @Override
    public void serialize(ProcessId id, DataOutputView out) throws IOException {
      out.writeUTF(id.cluster);
      out.writeUTF(id.node);
      out.writeInt(id.pid);
      out.writeLong(id.startMs);
    }

    @Override
    public ProcessId deserialize(DataInputView in) throws IOException {
      return new ProcessId(in.readUTF(), in.readUTF(), in.readInt(), in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<ProcessId> snapshotConfiguration() {
      return new Snapshot();
    }
  }

  /** Restores {@link Serializer}; public with a no-argument constructor, as Flink requires. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<ProcessId> {
    public Snapshot() {
      super(() -> Serializer.INSTANCE);
    }
  }
}
