package io.memfleet.pipeline.aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * Sampled allocations of one process, one stack (and class) over one minute: the row of
 * {@code allocations_1m}, and the stack's frames for {@code allocation_stacks}. A Flink POJO.
 */
public class AllocationWindow {
  public long windowStartMs;
  public String cluster;
  public String node;
  public String service;
  public String pod;
  public int pid;
  public long processStartTimeMs;
  public String runtime;
  public String kind;
  public long stackHash;
  public String objectClass;
  public List<String> frames = new ArrayList<>();
  public long sampledBytes;
  public int samples;
  /** Latest outstanding bytes reported for this stack in the window (OUTSTANDING samples). */
  public long outstandingBytes;
  public long outstandingUtcNs = Long.MIN_VALUE;

  public AllocationWindow() {}
}
