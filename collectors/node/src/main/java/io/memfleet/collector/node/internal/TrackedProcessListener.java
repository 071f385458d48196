package io.memfleet.collector.node.internal;

import io.memfleet.event.ProcessIdentity;

/**
 * Follows the processes the {@link ProcessScanner} tracks, on the scan thread: a runtime-specific
 * reader (JVM performance counters, Go program discovery) hooks in here instead of running its own
 * {@code /proc} walk.
 *
 * <pre>{@code
 * new ProcessScanner(options, proc, cgroups, identities, headers, sink,
 *     List.of(hsperfdataSampler, goDiscovery));
 * }</pre>
 *
 * <p>Calls come from the one scan thread, in order: {@link #started} once, {@link #sampled} at
 * every scan the process is seen alive, {@link #exited} once. Implementations must be cheap
 * (they add to every scan) and must not throw.
 */
public interface TrackedProcessListener {

  /** A process passed the filters and is tracked from now on. */
  default void started(int pid, ProcessIdentity identity) {}

  /**
   * The scan read this live process.
   *
   * @return events published to the sink for it (counted in the scan's events)
   */
  default int sampled(int pid, ProcessIdentity identity, long epochNanos) {
    return 0;
  }

  /** The process is gone (or its pid now belongs to another process). */
  default void exited(int pid, ProcessIdentity identity) {}
}
