package io.memfleet.collector.jfr.internal;

import io.memfleet.collector.EventHeaders;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.OomDetection;
import io.memfleet.event.OomKill;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Source;

/**
 * The in-process agent's view of its JVM dying of an {@code OutOfMemoryError}: the JVM's default
 * uncaught-exception handler, which notes an {@code OutOfMemoryError} that ends a thread (the
 * error itself, its time and thread, no allocation) and then does what the handler before it
 * did; the agent's shutdown hook reports it ({@link #report}) as an {@link OomKill} with the pool
 * the error's message names.
 *
 * <p>Why: from inside, the agent sees a heap run out only through JFR's collections, and the two
 * full collections back to back that say so come in the JVM's last second, which a dying JVM's
 * stream often does not get to read (the agent on JDK 25, {@code jvm-oome}: its last collection
 * streamed 3 s before the exit, no {@code OutOfMemoryError} reported). The error that ends the
 * program's thread is the JVM's own word, and it says which pool ran out.
 *
 * <p>What it does not see: an error caught by the program (a worker pool that logs it and goes
 * on — the JVM lives, and the collections that say so reach the stream), a thread with its own
 * handler, a default handler the program sets after the agent started, and a JVM run with
 * {@code -XX:+ExitOnOutOfMemoryError} (it exits without its shutdown hooks). And it cannot report
 * what it saw when the heap stays full after the error — a static cache, not the data of the
 * thread that ended: the shutdown then has no heap for the report, the sink or its own threads
 * (seen: a 64 MiB JVM whose static map filled it published nothing at its end; the same map held
 * by {@code main} alone became garbage with it, and the report came). Nor when one of the
 * agent's own sending threads (its sink's, the Kafka producer's) got the error first — every
 * thread that allocates while the heap is exhausted may get it — and died of it (about one
 * {@code JvmDeathIT} run in five): nothing more is sent then. Read from outside by the node
 * collector, such a JVM's last second is read after its death.
 *
 * <pre>{@code
 * UncaughtOutOfMemory oom = UncaughtOutOfMemory.install();
 * // in the shutdown hook
 * OomKill kill = oom.report(self, headers);
 * if (kill != null) sink.publish(kill);
 * }</pre>
 */
public final class UncaughtOutOfMemory implements Thread.UncaughtExceptionHandler {
  private final Thread.UncaughtExceptionHandler previous;
  private volatile OutOfMemoryError error;
  private volatile long atEpochMs;
  private volatile String thread;

  UncaughtOutOfMemory(Thread.UncaughtExceptionHandler previous) {
    this.previous = previous;
  }

  /** Becomes the JVM's default uncaught-exception handler, passing on to the one before it. */
  public static UncaughtOutOfMemory install() {
    UncaughtOutOfMemory h = new UncaughtOutOfMemory(Thread.getDefaultUncaughtExceptionHandler());
    Thread.setDefaultUncaughtExceptionHandler(h);
    return h;
  }

  @Override
  public void uncaughtException(Thread t, Throwable e) {
    if (e instanceof OutOfMemoryError oome && error == null && !agentThread(t.getName())) {
      atEpochMs = System.currentTimeMillis();
      thread = t.getName();
      error = oome;
    }
    if (previous != null) {
      previous.uncaughtException(t, e);
    } else {
      // what the JVM does without a default handler (ThreadGroup.uncaughtException would call
      // this handler again)
      System.err.print("Exception in thread \"" + t.getName() + "\" ");
      e.printStackTrace(System.err);
    }
  }

  /**
   * Whether a thread is the agent's own (its threads, the Kafka producer's of its sink): every
   * thread that allocates while the heap is exhausted may get the error, the agent's too, and
   * that is not the program's thread ending.
   */
  static boolean agentThread(String name) {
    return name != null && (name.startsWith("memfleet-") || name.contains("memfleet-jfr-agent"));
  }

  /** The error that ended a thread, as an {@link OomKill} of the process; null when none did. */
  public OomKill report(ProcessIdentity self, EventHeaders headers) {
    OutOfMemoryError e = error;
    if (e == null) {
      return null;
    }
    String message = e.getMessage();
    return OomKill.newBuilder()
        .setHeader(headers.next(self, Source.JFR, ClockDomain.REALTIME, atEpochMs * 1_000_000L))
        .setDetectedBy(OomDetection.JAVA_OUT_OF_MEMORY)
        .setVictimComm(self.getComm())
        .setPool(pool(message))
        .setErrorMessage((message == null ? "OutOfMemoryError" : message)
            + " (uncaught in thread \"" + thread + "\")")
        .build();
  }

  /** The pool an {@code OutOfMemoryError}'s message names (HotSpot's wording), else UNKNOWN. */
  static MemoryPool pool(String message) {
    if (message == null) {
      return MemoryPool.UNKNOWN;
    }
    if (message.startsWith("Java heap space") || message.startsWith("GC overhead limit")
        || message.startsWith("Requested array size exceeds")) {
      return MemoryPool.HEAP;
    }
    if (message.startsWith("Metaspace")) {
      return MemoryPool.METASPACE;
    }
    if (message.startsWith("Compressed class space")) {
      return MemoryPool.CLASS_SPACE;
    }
    // JDK 17: "Direct buffer memory"; later: "Cannot reserve N bytes of direct buffer memory"
    if (message.contains("irect buffer memory")) {
      return MemoryPool.DIRECT_BUFFERS;
    }
    if (message.contains("native thread")) {
      return MemoryPool.THREAD_STACKS;
    }
    return MemoryPool.UNKNOWN;
  }
}
