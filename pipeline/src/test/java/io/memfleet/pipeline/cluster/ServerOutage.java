package io.memfleet.pipeline.cluster;

import io.memfleet.localstack.LocalServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One server of a {@link PipelineDeployment} — its Kafka broker or its ClickHouse server — taken
 * down for a while and brought back on the same ports and data directory, as a node restart or a
 * maintenance window does: the job's configured address reaches it again, nothing is reconfigured
 * or resubmitted. The stop is the server's own shutdown (SIGTERM), so what it had acknowledged is
 * on disk when it comes back.
 *
 * <pre>{@code
 * ServerOutage outage = ServerOutage.begin(memfleet.clickHouse(), Duration.ofMinutes(2));
 * memfleet.publish(401, 300);   // while it is down
 * outage.end();                 // waits out the two minutes, starts it and waits until it answers
 * }</pre>
 *
 * <p>The length counts from the moment the server is gone, not from the stop request: a server
 * that takes its time to shut down is still down for the whole length.
 */
final class ServerOutage {
  private final LocalServer server;
  private final Duration length;
  private final Duration stopping;
  private final long downNs;
  private Duration down;
  private Duration starting;

  private ServerOutage(LocalServer server, Duration length, Duration stopping, long downNs) {
    this.server = server;
    this.length = length;
    this.stopping = stopping;
    this.downNs = downNs;
  }

  /** Stops {@code server} and returns once it is gone; it stays down until {@link #end()}. */
  static ServerOutage begin(LocalServer server, Duration length) {
    Objects.requireNonNull(server, "server");
    if (length.isNegative()) {
      throw new IllegalArgumentException("a negative outage: " + length);
    }
    long stoppingNs = System.nanoTime();
    server.stop();
    long downNs = System.nanoTime();
    return new ServerOutage(server, length, Duration.ofNanos(downNs - stoppingNs), downNs);
  }

  /**
   * Waits until the server has been down for the outage's length, starts it again and returns
   * once it answers.
   */
  void end() throws IOException, InterruptedException {
    if (down != null) {
      throw new IllegalStateException("the outage of " + server.workDir() + " ended already");
    }
    long leftNs = length.toNanos() - (System.nanoTime() - downNs);
    if (leftNs > 0) {
      TimeUnit.NANOSECONDS.sleep(leftNs);
    }
    long startingNs = System.nanoTime();
    down = Duration.ofNanos(startingNs - downNs);
    server.start();
    starting = Duration.ofNanos(System.nanoTime() - startingNs);
  }

  /** For a summary line: "stopped in 1 s, down for 20 s, answering 3 s after its start". */
  @Override
  public String toString() {
    return down == null
        ? String.format("stopped in %d s, still down", stopping.toSeconds())
        : String.format("stopped in %d s, down for %d s, answering %d s after its start",
            stopping.toSeconds(), down.toSeconds(), starting.toSeconds());
  }
}
