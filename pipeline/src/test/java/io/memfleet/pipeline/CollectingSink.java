package io.memfleet.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A test sink for jobs on a MiniCluster in this JVM: every subtask appends to one queue per sink
 * instance, which the test reads while the job runs.
 */
public final class CollectingSink<T> implements Sink<T> {
  private static final long serialVersionUID = 1L;
  private static final Map<String, ConcurrentLinkedQueue<Object>> QUEUES =
      new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();

  public CollectingSink() {
    QUEUES.put(id, new ConcurrentLinkedQueue<>());
  }

  /** A snapshot of what arrived so far. */
  @SuppressWarnings("unchecked")
  public List<T> values() {
    List<T> out = new ArrayList<>();
    for (Object o : QUEUES.get(id)) {
      out.add((T) o);
    }
    return out;
  }

  public void release() {
    QUEUES.remove(id);
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    ConcurrentLinkedQueue<Object> queue = QUEUES.get(id);
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context ctx) {
        queue.add(element);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
