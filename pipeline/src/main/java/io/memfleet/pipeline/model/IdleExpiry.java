package io.memfleet.pipeline.model;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.TimerService;

/**
 * Forgets a key whose input stopped: after {@code timeout} of processing time with no
 * {@link #touch}, the keyed function's timer finds it {@link #expired} and clears its state. One
 * processing-time timer per key at a time: activity only records its time, and a timer that
 * finds the key active since is moved to the last activity plus the timeout — no timer is
 * deleted and registered again at every element.
 *
 * <pre>{@code
 * private final IdleExpiry idle = new IdleExpiry(Duration.ofMinutes(10));
 * public void open(OpenContext c) { idle.open(getRuntimeContext()); }
 * public void processElement(T e, Context ctx, Collector<O> out) throws Exception {
 *   idle.touch(ctx.timerService());
 *   ...
 * }
 * public void onTimer(long at, OnTimerContext ctx, Collector<O> out) throws Exception {
 *   if (idle.expired(at, ctx.timerService())) {
 *     state.clear();
 *   }
 * }
 * }</pre>
 *
 * <p>State: one {@code long[2]} per key ({@code idle-expiry}: last activity, timer), cleared when
 * the key expires or by {@link #clear}.
 */
public final class IdleExpiry implements Serializable {
  private static final long serialVersionUID = 1L;
  /**
   * Activity this close to the one last recorded is not recorded again: one state write less for
   * nearly every element, for a timeout that much less exact (at most a tenth of it).
   */
  private static final long RESOLUTION_MS = 1_000;
  private final long timeoutMs;
  private final long resolutionMs;
  private transient ValueState<long[]> times; // {last activity, timer}

  public IdleExpiry(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the idle timeout must be positive");
    }
    this.timeoutMs = timeout.toMillis();
    this.resolutionMs = Math.min(RESOLUTION_MS, timeoutMs / 10);
  }

  /** Registers the state; call from the function's {@code open}. */
  public void open(RuntimeContext ctx) {
    times = ctx.getState(new ValueStateDescriptor<>("idle-expiry",
        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
  }

  /** The current key was active now; arms its timer if it has none. */
  public void touch(TimerService timers) throws Exception {
    long now = timers.currentProcessingTime();
    long[] t = times.value();
    if (t == null) {
      t = new long[] {now, now + timeoutMs};
      timers.registerProcessingTimeTimer(t[1]);
    } else if (now - t[0] < resolutionMs) {
      return;
    } else {
      t[0] = now;
    }
    times.update(t);
  }

  /**
   * Whether the current key has been idle for the timeout at {@code timestamp}, its timer's
   * time; if so its expiry state is cleared and the caller clears the rest, else the timer is
   * moved to the last activity plus the timeout. False for a timer that is not this one's.
   */
  public boolean expired(long timestamp, TimerService timers) throws Exception {
    long[] t = times.value();
    if (t == null || t[1] != timestamp) {
      return false;
    }
    if (t[0] + timeoutMs > timestamp) {
      t[1] = t[0] + timeoutMs;
      timers.registerProcessingTimeTimer(t[1]);
      times.update(t);
      return false;
    }
    times.clear();
    return true;
  }

  /** Forgets the current key now (its input ended): deletes its timer and state. */
  public void clear(TimerService timers) throws Exception {
    long[] t = times.value();
    if (t != null) {
      timers.deleteProcessingTimeTimer(t[1]);
      times.clear();
    }
  }
}
