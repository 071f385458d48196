package io.memfleet.bench.pipeline.cluster;

import io.memfleet.pipeline.model.TimeBasis;
import io.memfleet.pipeline.model.TimedEvent;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The job's event sink on a cluster: counts the {@link TimedEvent}s that arrive, how their time was
 * obtained, and when the first record and the last event arrived, as Flink metrics of each subtask
 * ({@link BenchmarkMetrics}), which the harness reads over the REST API while the job runs — the
 * cluster's counterpart of the harness's in-JVM {@code CountingSink}. The per-record cost is a
 * clock read and a few counter increments on the task's thread.
 *
 * <pre>{@code
 * MemfleetJob.kafka(options).eventSink(new MetricCountingSink())...
 * // harness: GET /jobs/<job>/vertices/<vertex>/metrics?get=0.<operator>.memfleetBench.events
 * }</pre>
 */
public final class MetricCountingSink implements Sink<TimedEvent> {
  private static final long serialVersionUID = 1L;

  @Override
  public SinkWriter<TimedEvent> createWriter(WriterInitContext context) {
    return new Writer(context.metricGroup().addGroup(BenchmarkMetrics.GROUP));
  }

  private static final class Writer implements SinkWriter<TimedEvent> {
    private final Counter events;
    private final Counter derived;
    private final Counter calibrated;
    private final Counter clockModel;
    private volatile long firstArrivalMicros;
    private volatile long lastEventMicros;

    Writer(MetricGroup group) {
      events = group.counter(BenchmarkMetrics.EVENTS);
      derived = group.counter(BenchmarkMetrics.DERIVED);
      calibrated = group.counter(BenchmarkMetrics.CALIBRATED);
      clockModel = group.counter(BenchmarkMetrics.CLOCK_MODEL);
      group.gauge(BenchmarkMetrics.FIRST_ARRIVAL_MICROS, (Gauge<Long>) () -> firstArrivalMicros);
      group.gauge(BenchmarkMetrics.LAST_EVENT_MICROS, (Gauge<Long>) () -> lastEventMicros);
    }

    @Override
    public void write(TimedEvent e, Context context) {
      long now = BenchmarkMetrics.nowMicros();
      if (firstArrivalMicros == 0) {
        firstArrivalMicros = now;
      }
      if (e.payload == null) {
        derived.inc();
        return;
      }
      if (e.calibrated()) {
        calibrated.inc();
      }
      if (e.timeBasis == TimeBasis.CLOCK_MODEL) {
        clockModel.inc();
      }
      lastEventMicros = now; // before the count: a reader that sees the count sees the time
      events.inc();
    }

    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public void close() {}
  }
}
