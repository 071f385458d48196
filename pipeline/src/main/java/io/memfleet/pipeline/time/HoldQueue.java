package io.memfleet.pipeline.time;

/**
 * Indexes of a host's FIFO of held events in map state: entries live at [head, tail); released
 * entries leave gaps that {@code head} skips. A Flink POJO.
 */
public class HoldQueue {
  public long head;
  public long tail;
  public int size;

  public HoldQueue() {}
}
