package io.memfleet.bench.pipeline;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StateObject;

/**
 * What one completed checkpoint holds, per operator, read from its {@code _metadata} the way a
 * restore reads it ({@link Checkpoints#loadCheckpointMetadata}): the bytes of every operator's
 * keyed state (all subtasks), of its operator state (source splits, sink state), of its
 * coordinator (source enumerator) and of in-flight data (0 for aligned checkpoints), with the
 * keyed state handles themselves so their contents can be broken down
 * ({@link KeyedStateBreakdown}).
 *
 * <pre>{@code
 * CheckpointStateSizes sizes = CheckpointStateSizes.read(Path.of(".../chk-1"), labels);
 * sizes.operators().get(0).keyedBytes();   // the largest keyed state
 * }</pre>
 */
final class CheckpointStateSizes {

  /** How an operator is known: the name Flink shows and the uid savepoints match by. */
  record Label(String name, String uid) {}

  /** One operator's state in the checkpoint, summed over its subtasks. */
  record OperatorSizes(String name, String uid, int maxParallelism, long keyedBytes,
      long operatorBytes, long coordinatorBytes, long inFlightBytes,
      List<KeyedStateHandle> keyedHandles, String handleTypes) {
    long totalBytes() {
      return keyedBytes + operatorBytes + coordinatorBytes + inFlightBytes;
    }
  }

  private final long checkpointId;
  private final List<OperatorSizes> operators;
  private final long fileBytes;

  private CheckpointStateSizes(long checkpointId, List<OperatorSizes> operators,
      long fileBytes) {
    this.checkpointId = checkpointId;
    this.operators = operators;
    this.fileBytes = fileBytes;
  }

  /**
   * Reads the checkpoint in {@code dir} (the {@code chk-N} directory); {@code labels} names the
   * operators whose metadata carries no name.
   */
  static CheckpointStateSizes read(Path dir, Map<OperatorID, Label> labels) throws IOException {
    CheckpointMetadata metadata;
    try (InputStream in = Files.newInputStream(dir.resolve("_metadata"))) {
      metadata = Checkpoints.loadCheckpointMetadata(new DataInputStream(in),
          CheckpointStateSizes.class.getClassLoader(), dir.toAbsolutePath().toString());
    }
    List<OperatorSizes> operators = new ArrayList<>();
    for (OperatorState op : metadata.getOperatorStates()) {
      Label label = labels.get(op.getOperatorID());
      String name = op.getOperatorName().orElse(label == null ? op.getOperatorID().toString()
          : label.name());
      String uid = op.getOperatorUid().orElse(label == null ? "" : label.uid());
      long keyed = 0;
      long operator = 0;
      long inFlight = 0;
      List<KeyedStateHandle> handles = new ArrayList<>();
      TreeSet<String> types = new TreeSet<>();
      for (OperatorSubtaskState s : op.getStates()) {
        keyed += sizeOf(s.getManagedKeyedState()) + sizeOf(s.getRawKeyedState());
        operator += sizeOf(s.getManagedOperatorState()) + sizeOf(s.getRawOperatorState());
        inFlight += sizeOf(s.getInputChannelState()) + sizeOf(s.getResultSubpartitionState());
        for (KeyedStateHandle h : s.getManagedKeyedState()) {
          handles.add(h);
          types.add(h.getClass().getSimpleName());
        }
      }
      long coordinator = op.getCoordinatorState() == null ? 0
          : op.getCoordinatorState().getStateSize();
      operators.add(new OperatorSizes(name, uid, op.getMaxParallelism(), keyed, operator,
          coordinator, inFlight, List.copyOf(handles), String.join(",", types)));
    }
    operators.sort(Comparator.comparingLong(OperatorSizes::totalBytes).reversed()
        .thenComparing(OperatorSizes::name));
    return new CheckpointStateSizes(metadata.getCheckpointId(), List.copyOf(operators),
        directoryBytes(dir));
  }

  private static long sizeOf(Collection<? extends StateObject> handles) {
    long total = 0;
    for (StateObject h : handles) {
      total += h.getStateSize();
    }
    return total;
  }

  /** Bytes of the regular files under {@code dir}; files deleted while it is walked count 0. */
  static long directoryBytes(Path dir) throws IOException {
    for (int attempt = 1; ; attempt++) {
      if (!Files.exists(dir)) {
        return 0;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        return files.filter(Files::isRegularFile).mapToLong(p -> {
          try {
            return Files.size(p);
          } catch (IOException e) {
            return 0; // deleted meanwhile (RocksDB compactions)
          }
        }).sum();
      } catch (UncheckedIOException e) {
        if (attempt == 3) {
          throw e.getCause(); // a directory kept vanishing under the walk
        }
      }
    }
  }

  long checkpointId() {
    return checkpointId;
  }

  /** Every operator in the checkpoint, the largest state first. */
  List<OperatorSizes> operators() {
    return operators;
  }

  long keyedBytes() {
    return operators.stream().mapToLong(OperatorSizes::keyedBytes).sum();
  }

  long totalBytes() {
    return operators.stream().mapToLong(OperatorSizes::totalBytes).sum();
  }

  /**
   * Bytes of the checkpoint's files on disk: the state files plus {@code _metadata}, which also
   * holds the handles small enough to be inlined.
   */
  long fileBytes() {
    return fileBytes;
  }
}
