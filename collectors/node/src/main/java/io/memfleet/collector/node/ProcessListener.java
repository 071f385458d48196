package io.memfleet.collector.node;

import io.memfleet.event.ProcessIdentity;

/**
 * Told about every process the node collector starts and stops tracking (after its filters), with
 * the identity its events carry — so another collector can follow the same processes, e.g. read
 * the JFR repositories of the JVMs among them. Called on the scan thread: return at once.
 */
public interface ProcessListener {
  /** Listens to nothing. */
  ProcessListener NONE = new ProcessListener() {
    @Override
    public void started(ProcessIdentity process) {}

    @Override
    public void exited(ProcessIdentity process) {}
  };

  /** A scan found a new process. */
  void started(ProcessIdentity process);

  /** A scan found a tracked process gone. */
  void exited(ProcessIdentity process);
}
