package io.memfleet.bench.pipeline;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.CompositeKeySerializationUtils;
import org.apache.flink.runtime.state.FullSnapshotUtil;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot.BackendStateType;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot.CommonSerializerKeys;

/**
 * What an operator's keyed state in a full checkpoint is made of: entries and bytes per state
 * (value, map and list states by their descriptor's name, timers as {@code _timer_state/...}), and
 * how many distinct keys hold state — for a per-process operator, the processes it tracks.
 *
 * <p>It reads the two formats Flink writes keyed state in as a stream of entries, with the
 * serializers the snapshot itself records:
 * <ul>
 *   <li>{@link Format#HEAP}, a heap backend's checkpoint: per key group the key-group id, then
 *       per state its id and its entries ({@code namespace, key, value}, or timers), as
 *       {@code HeapSnapshotStrategy} writes them;
 *   <li>{@link Format#CANONICAL}, a canonical savepoint of any backend: per key group, per state
 *       its id and its RocksDB-style key/value byte pairs (the key: key group, key, namespace and,
 *       for map state, the user key), as {@code FullSnapshotAsyncWriter} writes them (Flink's
 *       own reader of that format is {@code FullSnapshotRestoreOperation}).
 * </ul>
 * A RocksDB checkpoint, even a full one, is a set of RocksDB's own SST files (Flink 2 has no
 * other full snapshot for RocksDB), so its states are read from a canonical savepoint.
 * A state's bytes are what its entries take in the file, so the states of an operator add up to
 * its handle sizes minus the metadata header and the key-group and state ids.
 *
 * <pre>{@code
 * KeyedStateBreakdown b = KeyedStateBreakdown.read(Format.CANONICAL, op.keyedHandles(),
 *     op.maxParallelism());
 * b.states().get(0);   // the largest state: name, entries, bytes
 * b.distinctKeys();    // e.g. 10000 for the per-process join
 * }</pre>
 */
final class KeyedStateBreakdown {
  /** How the keyed state handles were written. */
  enum Format { HEAP, CANONICAL }

  /** One state of the operator: what it is, how many entries, how many bytes. */
  record StateBytes(String state, String type, long entries, long bytes) {}

  private final List<StateBytes> states;
  private final long distinctKeys;

  private KeyedStateBreakdown(List<StateBytes> states, long distinctKeys) {
    this.states = states;
    this.distinctKeys = distinctKeys;
  }

  /** The largest state first. */
  List<StateBytes> states() {
    return states;
  }

  /** Keys with at least one value, map or list entry (timers' keys not counted). */
  long distinctKeys() {
    return distinctKeys;
  }

  long bytes() {
    return states.stream().mapToLong(StateBytes::bytes).sum();
  }

  /** Reads every handle of one operator. */
  static KeyedStateBreakdown read(Format format, Collection<KeyedStateHandle> handles,
      int maxParallelism) throws IOException {
    Tally tally = new Tally();
    for (KeyedStateHandle handle : handles) {
      if (!(handle instanceof KeyGroupsStateHandle)) {
        throw new IOException("not a stream of key groups: " + handle.getClass().getName()
            + " (RocksDB checkpoints are SST files: read a canonical savepoint)");
      }
      KeyGroupsStateHandle groups = (KeyGroupsStateHandle) handle;
      try (CountingInput in = new CountingInput(groups.openInputStream())) {
        DataInputView view = new DataInputViewStreamWrapper(in);
        KeyedBackendSerializationProxy<Object> proxy =
            new KeyedBackendSerializationProxy<>(KeyedStateBreakdown.class.getClassLoader());
        proxy.read(view);
        if (proxy.isUsingKeyGroupCompression()) {
          throw new IOException("compressed snapshots are not read: turn off "
              + "execution.checkpointing.snapshot-compression");
        }
        List<StateMetaInfoSnapshot> metas = proxy.getStateMetaInfoSnapshots();
        TypeSerializer<?> keys = proxy.getKeySerializerSnapshot().restoreSerializer();
        HeapSerializers heap = format == Format.HEAP ? new HeapSerializers(proxy, keys) : null;
        for (Tuple2<Integer, Long> group : groups.getGroupRangeOffsets()) {
          if (group.f1 == 0L) {
            continue; // nothing written for this key group
          }
          in.skipTo(group.f1);
          if (heap != null) {
            readHeapKeyGroup(view, in, heap, tally);
          } else {
            readCanonicalKeyGroup(view, in, metas, keys, maxParallelism, tally);
          }
        }
      }
    }
    List<StateBytes> states = new ArrayList<>(tally.states.values());
    states.sort(Comparator.comparingLong(StateBytes::bytes).reversed()
        .thenComparing(StateBytes::state));
    return new KeyedStateBreakdown(List.copyOf(states), tally.keys.size());
  }

  /** {@code int keyGroup}, then for every state: {@code short id}, {@code int n}, n entries. */
  private static void readHeapKeyGroup(DataInputView view, CountingInput in,
      HeapSerializers heap, Tally tally) throws IOException {
    view.readInt(); // the key group's id
    for (int i = 0; i < heap.metas.size(); i++) {
      int id = view.readShort();
      StateMetaInfoSnapshot meta = heap.metas.get(id);
      long start = in.position();
      int entries = view.readInt();
      if (heap.namespaces[id] == null) { // timers
        for (int e = 0; e < entries; e++) {
          heap.values[id].deserialize(view);
        }
      } else {
        for (int e = 0; e < entries; e++) {
          heap.namespaces[id].deserialize(view);
          tally.addKey(heap.keys, heap.keys.deserialize(view));
          heap.values[id].deserialize(view);
        }
      }
      tally.add(meta, entries, in.position() - start);
    }
  }

  /** The serializers a heap snapshot records, by state id: timers have no namespace here. */
  private static final class HeapSerializers {
    final List<StateMetaInfoSnapshot> metas;
    final TypeSerializer<Object> keys;
    final TypeSerializer<?>[] namespaces;
    final TypeSerializer<?>[] values;

    HeapSerializers(KeyedBackendSerializationProxy<?> proxy, TypeSerializer<?> keys)
        throws IOException {
      metas = proxy.getStateMetaInfoSnapshots();
      @SuppressWarnings("unchecked")
      TypeSerializer<Object> any = (TypeSerializer<Object>) keys;
      this.keys = any;
      namespaces = new TypeSerializer<?>[metas.size()];
      values = new TypeSerializer<?>[metas.size()];
      for (int i = 0; i < metas.size(); i++) {
        StateMetaInfoSnapshot meta = metas.get(i);
        values[i] = serializer(meta, CommonSerializerKeys.VALUE_SERIALIZER);
        if (meta.getBackendStateType() != BackendStateType.PRIORITY_QUEUE) {
          namespaces[i] = serializer(meta, CommonSerializerKeys.NAMESPACE_SERIALIZER);
        }
      }
    }
  }

  /**
   * {@code short id}, then {@code byte[] key, byte[] value} pairs; a key with its first bit set
   * is the state's last, and is followed by the next state's id or {@code 0xFFFF}.
   */
  private static void readCanonicalKeyGroup(DataInputView view, CountingInput in,
      List<StateMetaInfoSnapshot> metas, TypeSerializer<?> keys, int maxParallelism,
      Tally tally) throws IOException {
    int prefix = CompositeKeySerializationUtils.computeRequiredBytesInKeyGroupPrefix(
        maxParallelism);
    int id = FullSnapshotUtil.END_OF_KEY_GROUP_MARK & view.readShort();
    while (id != FullSnapshotUtil.END_OF_KEY_GROUP_MARK) {
      StateMetaInfoSnapshot meta = metas.get(id);
      boolean timers = meta.getBackendStateType() == BackendStateType.PRIORITY_QUEUE;
      long start = in.position();
      long entries = 0;
      int next = id;
      while (next == id) {
        byte[] key = new byte[view.readInt()];
        view.readFully(key);
        view.skipBytesToRead(view.readInt()); // the value
        entries++;
        if (FullSnapshotUtil.hasMetaDataFollowsFlag(key)) {
          FullSnapshotUtil.clearMetaDataFollowsFlag(key);
          next = FullSnapshotUtil.END_OF_KEY_GROUP_MARK & view.readShort();
        }
        if (!timers) {
          // the key's own bytes: it follows the key-group prefix; namespace and user key follow
          DataInputDeserializer k = new DataInputDeserializer(key, prefix, key.length - prefix);
          keys.deserialize(k);
          tally.keys.add(ByteBuffer.wrap(Arrays.copyOfRange(key, prefix, k.getPosition())));
        }
      }
      tally.add(meta, entries, in.position() - start - 2); // not the next state's id
      id = next;
    }
  }

  private static TypeSerializer<?> serializer(StateMetaInfoSnapshot meta,
      CommonSerializerKeys which) throws IOException {
    var snapshot = meta.getTypeSerializerSnapshot(which);
    if (snapshot == null) {
      throw new IOException("state " + meta.getName() + " records no " + which);
    }
    return snapshot.restoreSerializer();
  }

  /** Per state name, and the distinct keys of the operator. */
  private static final class Tally {
    final Map<String, StateBytes> states = new LinkedHashMap<>();
    /** Keys by their serialized bytes: a key type need not have equals(). */
    final Set<ByteBuffer> keys = new HashSet<>();
    private final DataOutputSerializer buffer = new DataOutputSerializer(64);

    void addKey(TypeSerializer<Object> serializer, Object key) throws IOException {
      buffer.clear();
      serializer.serialize(key, buffer);
      keys.add(ByteBuffer.wrap(buffer.getCopyOfBuffer()));
    }

    void add(StateMetaInfoSnapshot meta, long entries, long bytes) {
      String type = meta.getBackendStateType() == BackendStateType.PRIORITY_QUEUE ? "timers"
          : String.valueOf(meta.getOption(
              StateMetaInfoSnapshot.CommonOptionsKeys.KEYED_STATE_TYPE)).toLowerCase(Locale.ROOT);
      states.merge(meta.getName(), new StateBytes(meta.getName(), type, entries, bytes),
          (a, b) -> new StateBytes(a.state(), a.type(), a.entries() + b.entries(),
              a.bytes() + b.bytes()));
    }
  }

  /** A buffered stream that knows its position, for the key-group offsets and state bytes. */
  private static final class CountingInput extends FilterInputStream {
    private long position;

    CountingInput(InputStream in) {
      super(new BufferedInputStream(in, 1 << 20));
    }

    long position() {
      return position;
    }

    void skipTo(long offset) throws IOException {
      if (offset < position) {
        throw new IOException("key groups out of order: at " + position + ", next at " + offset);
      }
      while (position < offset) {
        long skipped = skip(offset - position);
        if (skipped <= 0) {
          throw new IOException("snapshot ends at " + position + " before " + offset);
        }
      }
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        position++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        position += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      position += skipped;
      return skipped;
    }
  }
}
