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
 * a broken bound is an {@link AssertionError} naming the input.
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
    Future<Outcome<T>> future = submit(() -> {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      try {
        T value = parser.call();
        return new Outcome<>(value, null, THREADS.getCurrentThreadAllocatedBytes() - before);
      } catch (Exception | Error e) {
        return new Outcome<>(null, e, THREADS.getCurrentThreadAllocatedBytes() - before);
      }
    });
    Outcome<T> outcome;
    try {
      outcome = future.get(TIME_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      replaceWorker();
      throw new AssertionError("no result within " + TIME_LIMIT + " for an input of "
          + inputLength + " (a hang or super-linear work)");
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    }
    if (outcome.allocated() > allowed) {
      throw new AssertionError("allocated " + outcome.allocated() + " bytes for an input of "
          + inputLength + " (bound " + allowed + ")");
    }
    if (outcome.error() instanceof Exception e) {
      throw e;
    }
    if (outcome.error() instanceof Error e) {
      throw e;
    }
    return outcome.value();
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

  private record Outcome<T>(T value, Throwable error, long allocated) {}

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
