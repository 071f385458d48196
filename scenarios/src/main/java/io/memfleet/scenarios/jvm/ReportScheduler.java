package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Report scheduler that starts a worker thread per job; the worker renders the report, then
 * waits for the delivery service's acknowledgement on a latch — but acknowledgements are sent to
 * a different latch (the bug), so every worker blocks forever and threads pile up, about 5 a
 * second. Stops starting jobs at {@code --max-threads} (10000 by default, about 33 minutes) so a
 * forgotten run cannot exhaust the machine. Scenario {@code jvm-thread-leak}.
 *
 * <pre>
 * java -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.ReportScheduler \
 *      --job-rate 5 --max-threads 10000 --garbage-rate 8MiB
 * </pre>
 */
public final class ReportScheduler {
  private ReportScheduler() {}

  /** One report job: renders, then waits for an acknowledgement that never arrives. */
  static final class ReportJob implements Runnable {
    private final long id;
    private final CountDownLatch delivered;
    private final AtomicLong rendered;

    ReportJob(long id, CountDownLatch delivered, AtomicLong rendered) {
      this.id = id;
      this.delivered = delivered;
      this.rendered = rendered;
    }

    @Override
    public void run() {
      rendered.addAndGet(render(id, 40));
      try {
        delivered.await(); // counted down by nobody: acks go to the delivery service's own latch
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Recursive layout: uses some stack, as real rendering does. */
    private static long render(long seed, int depth) {
      long[] cells = new long[16];
      for (int i = 0; i < cells.length; i++) {
        cells[i] = seed * 31 + i;
      }
      return depth == 0 ? cells[(int) (seed & 15)] : cells[depth & 15] + render(seed + 1,
          depth - 1);
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("report-scheduler", argv);
    double jobRate = args.number("job-rate", 5);
    long maxThreads = (long) args.number("max-threads", 10_000);
    double garbageRate = args.bytesPerSecond("garbage-rate", "8MiB");
    args.check();

    RequestTraffic traffic = new RequestTraffic(garbageRate, 1024);
    Pace jobs = new Pace(jobRate);
    AtomicLong rendered = new AtomicLong();
    ServiceLoop loop = ServiceLoop.start("report-scheduler", "a thread per report job that"
        + " never finishes, " + jobRate + " threads/s up to " + maxThreads);
    long started = 0;
    while (loop.next()) {
      for (long n = jobs.due(); n > 0 && started < maxThreads; n--) {
        Thread worker = new Thread(new ReportJob(started, new CountDownLatch(1), rendered),
            "report-job-" + started);
        worker.start();
        started++;
      }
      traffic.serveDue();
      long s = started;
      loop.status(() -> "jobs-started=" + s + " live-threads=" + Thread.activeCount()
          + " rendered=" + rendered.get() + " requests=" + traffic.served());
    }
  }
}
