package io.memfleet.fuzz;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a parser on one fuzz input with bounds: it must return (or throw) within {@link #timeLimit}
 * (default 2 s, {@code -Dmemfleet.fuzz.max-millis}), and allocate at most 1 MiB plus 64 bytes per
 * input byte. Exceptions of the parser are rethrown as they are, for the test to check their type;
 * a bound broken twice in a row is an {@link AssertionError} (jqwik then reports the input).
 *
 * <pre>{@code
 * try {
 *   Bounded.call(() -> GcTraceParser.parse(line), line.length());
 * } catch (IllegalArgumentException documented) {
 *   // the parser's one error type
 * }
 * }</pre>
 *
 * <p>The parser runs on a worker thread so that an endless loop fails the test instead of hanging
 * it; the stuck thread is a daemon and is abandoned.
 */
public final class Bounded {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final Duration TIME_LIMIT =
      Duration.ofMillis(Long.getLong("memfleet.fuzz.max-millis", 2_000));
  private static final long BASE_ALLOCATION = 1 << 20;
  private static final long ALLOCATION_PER_BYTE = 64;

  private static ExecutorService worker = newWorker();

  private Bounded() {}

  /** How long one input may take. */
  public static Duration timeLimit() {
    return TIME_LIMIT;
  }

  /**
   * The parser's result on one input of {@code inputLength} bytes (or characters).
   *
   * @throws RuntimeException or {@link Error} what the parser threw
   * @throws AssertionError when a bound is broken
   */
  public static <T> T call(Callable<T> parser, int inputLength) throws Exception {
    long allowed = BASE_ALLOCATION + ALLOCATION_PER_BYTE * inputLength;
    Outcome<T> outcome = once(parser, inputLength);
    if (outcome.allocated() > allowed || outcome.timedOut()) {
      // once more before failing: the first call of a parser loads and initializes classes (and
      // a loaded machine can stall any call), which a real bug does every time
      outcome = once(parser, inputLength);
    }
    if (outcome.timedOut()) {
      throw new AssertionError("no result within " + TIME_LIMIT + ", twice, for an input of "
          + inputLength + " (a hang or super-linear work)");
    }
    if (outcome.allocated() > allowed) {
      throw new AssertionError("allocated " + outcome.allocated() + " bytes, twice, for an input"
          + " of " + inputLength + " (bound " + allowed + ")");
    }
    if (outcome.error() instanceof Exception e) {
      throw e;
    }
    if (outcome.error() instanceof Error e) {
      throw e;
    }
    return outcome.value();
  }

  private static <T> Outcome<T> once(Callable<T> parser, int inputLength) {
    Future<Outcome<T>> future = submit(() -> {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      try {
        T value = parser.call();
        return new Outcome<>(value, null, THREADS.getCurrentThreadAllocatedBytes() - before,
            false);
      } catch (Exception | Error e) {
        return new Outcome<>(null, e, THREADS.getCurrentThreadAllocatedBytes() - before, false);
      }
    });
    try {
      return future.get(TIME_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      replaceWorker();
      return new Outcome<>(null, null, 0, true);
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** {@link #call} for parsers that return nothing. */
  public static void run(ThrowingRunnable parser, int inputLength) throws Exception {
    call(() -> {
      parser.run();
      return null;
    }, inputLength);
  }

  /** A parser call that returns nothing. */
  @FunctionalInterface
  public interface ThrowingRunnable {
    void run() throws Exception;
  }

  private record Outcome<T>(T value, Throwable error, long allocated, boolean timedOut) {}

  private static synchronized <T> Future<T> submit(Callable<T> task) {
    return worker.submit(task);
  }

  private static synchronized void replaceWorker() {
    worker.shutdownNow();
    worker = newWorker();
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-worker");
      t.setDaemon(true);
      return t;
    });
  }
}
