package io.memfleet.scenarios.jvm.support;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The main loop of a scenario program: prints one start line, wakes every {@value #TICK_MILLIS}
 * ms, prints a status line at most every 10 s, and says goodbye on SIGTERM (the JVM then exits
 * by its shutdown sequence).
 *
 * <pre>{@code
 * ServiceLoop loop = ServiceLoop.start("session-service", "login sessions, leak 1MiB/s");
 * while (loop.next()) {
 *   ...work that is due...
 *   loop.status(() -> "sessions=" + registry.size());
 * }
 * }</pre>
 *
 * <p>Start line: {@code <name> pid=<pid>: <what>}; status lines: {@code <name> t=<seconds>s
 * <status>}. Logs stay small: about six lines a minute.
 */
public final class ServiceLoop {
  public static final long TICK_MILLIS = 20;
  private static final long STATUS_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

  private final String name;
  private final long startNanos = System.nanoTime();
  private long nextStatus = startNanos + STATUS_EVERY_NANOS;
  private boolean first = true;

  private ServiceLoop(String name) {
    this.name = name;
  }

  /** Prints the start line and installs the SIGTERM goodbye. */
  public static ServiceLoop start(String name, String what) {
    ServiceLoop loop = new ServiceLoop(name);
    System.out.println(name + " pid=" + ProcessHandle.current().pid() + ": " + what);
    Runtime.getRuntime().addShutdownHook(new Thread(() ->
        System.out.println(name + " t=" + loop.seconds() + "s stopping"), name + "-shutdown"));
    return loop;
  }

  /** Sleeps one tick (not before the first round); always true — the loop ends by signal. */
  public boolean next() throws InterruptedException {
    if (!first) {
      Thread.sleep(TICK_MILLIS);
    }
    first = false;
    return true;
  }

  /** Prints {@code status} if 10 s passed since the last status line (or the start). */
  public void status(Supplier<String> status) {
    long now = System.nanoTime();
    if (now >= nextStatus) {
      nextStatus = now + STATUS_EVERY_NANOS;
      System.out.println(name + " t=" + seconds() + "s " + status.get());
    }
  }

  /** Whole seconds since start. */
  public long seconds() {
    return (System.nanoTime() - startNanos) / 1_000_000_000L;
  }

  /** Mebibytes, one decimal, for status lines. */
  public static String mib(double bytes) {
    return String.format(java.util.Locale.ROOT, "%.1fMiB", bytes / (1024 * 1024));
  }
}
