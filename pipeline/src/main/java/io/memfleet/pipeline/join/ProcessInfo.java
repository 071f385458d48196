package io.memfleet.pipeline.join;

import io.memfleet.event.Runtime;
import io.memfleet.pipeline.model.TimedEvent;

/**
 * The richest identity seen for one process: not every collector knows the service, pod and
 * container (an eBPF probe sees a pid, the node collector reads its cgroup), so the join
 * remembers what any source told it and fills it into the others. A Flink POJO (keyed state).
 */
public class ProcessInfo {
  public String comm;
  public Runtime runtime;
  public String service;
  public String namespace;
  public String pod;
  public String container;

  public ProcessInfo() {}

  /** Takes every field the event knows and this does not; true when something was learned. */
  boolean learnFrom(TimedEvent e) {
    boolean changed = false;
    if ((runtime == null || runtime == Runtime.UNKNOWN
        || runtime == Runtime.NATIVE && managed(e.runtime))
        && e.runtime != null && e.runtime != Runtime.UNKNOWN && e.runtime != runtime) {
      // a managed runtime is positive evidence (libjvm mapped, Go build info): it wins over
      // NATIVE, which a process showed before it exec'd its program (sh -c 'exec app')
      if (runtime == Runtime.NATIVE && e.comm != null && !e.comm.isEmpty()) {
        comm = e.comm;
      }
      runtime = e.runtime;
      changed = true;
    }
    if (comm == null && e.comm != null && !e.comm.isEmpty()) {
      comm = e.comm;
      changed = true;
    }
    if (service == null && e.service != null) {
      service = e.service;
      changed = true;
    }
    if (namespace == null && e.namespace != null) {
      namespace = e.namespace;
      changed = true;
    }
    if (pod == null && e.pod != null) {
      pod = e.pod;
      changed = true;
    }
    if (container == null && e.container != null) {
      container = e.container;
      changed = true;
    }
    return changed;
  }

  /** Fills the event's missing identity fields from this. */
  void enrich(TimedEvent e) {
    if (e.comm == null || e.comm.isEmpty()) {
      e.comm = comm;
    }
    // a managed runtime learnt from any source wins over an event's NATIVE too, as it does in
    // learnFrom: a collector that read the process's maps before the java launcher loaded
    // libjvm.so calls the JVM native, and rules judge native processes differently
    if (e.runtime == null || e.runtime == Runtime.UNKNOWN
        || e.runtime == Runtime.NATIVE && managed(runtime)) {
      e.runtime = runtime == null ? e.runtime : runtime;
    }
    e.service = e.service == null ? service : e.service;
    e.namespace = e.namespace == null ? namespace : e.namespace;
    e.pod = e.pod == null ? pod : e.pod;
    e.container = e.container == null ? container : e.container;
  }

  /** A runtime that manages its own heap: positive evidence, unlike NATIVE. */
  private static boolean managed(Runtime r) {
    return r == Runtime.JVM || r == Runtime.GO;
  }
}
