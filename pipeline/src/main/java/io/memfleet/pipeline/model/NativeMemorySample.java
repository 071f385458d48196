package io.memfleet.pipeline.model;

import io.memfleet.event.Runtime;
import io.memfleet.event.Source;

/**
 * One point of a process's native (off-heap) memory series: resident memory minus the managed
 * heap's committed bytes at the same moment, from the per-process join.
 *
 * <p>For a JVM that is everything outside the Java heap (metaspace, code cache, thread stacks,
 * direct buffers, malloc by JNI); for Go, memory the runtime does not account as heap. The RSS
 * sample's time is the point's time; the managed sample is the latest one at or before it.
 * A Flink POJO.
 */
public class NativeMemorySample {
  public String cluster;
  public String node;
  public int pid;
  public long processStartTimeMs;
  public String comm;
  public Runtime runtime;
  public String service;
  public String namespace;
  public String pod;
  public String container;

  /** Time of the RSS sample, UTC nanoseconds. */
  public long utcNs;
  /** Error bound of {@link #utcNs}: the RSS sample's bound. */
  public long errorBoundNs;
  /** Time of the managed-heap sample joined with it, UTC nanoseconds (at or before utcNs). */
  public long managedUtcNs;
  public boolean calibrated;

  public long rssBytes;
  public long managedCommittedBytes;
  public long managedUsedBytes;
  /** {@code rssBytes - managedCommittedBytes}; negative values are kept, they reveal skew. */
  public long nativeBytes;
  /** Who measured RSS (PROCFS, EBPF, CGROUP). */
  public Source rssSource;
  /** Who measured the managed heap (JFR, GO_EXPVAR). */
  public Source managedSource;

  public NativeMemorySample() {}

  public String processKey() {
    return TimedEvent.processKey(cluster, node, pid, processStartTimeMs);
  }

  @Override
  public String toString() {
    return "NativeMemory[" + processKey() + " utc=" + utcNs + " rss=" + rssBytes + " managed="
        + managedCommittedBytes + " native=" + nativeBytes + "]";
  }
}
