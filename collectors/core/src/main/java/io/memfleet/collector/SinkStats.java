package io.memfleet.collector;

import java.util.Map;

/**
 * What an {@link EventSink} did since it was built.
 *
 * <p>Every published event ends up in exactly one of {@code sent}, {@code replayed} or
 * {@code dropped}, or is still pending (in memory, in flight or in the spool): {@code published =
 * sent + replayed + dropped + pending}. {@code spooled} counts events written to the spool (each
 * is later counted again as replayed or dropped).
 *
 * @param published events handed to {@link EventSink#publish}
 * @param sent events the broker acknowledged on first delivery
 * @param spooled events written to the on-disk spool
 * @param replayed spooled events the broker acknowledged later (including ones a previous run
 *     left in the spool, which were never counted as published here)
 * @param dropped events lost, by reason in {@code droppedByReason}
 * @param droppedByReason e.g. {@code spool-full}, {@code queue-full}, {@code spool-corrupt},
 *     {@code encode-failed}, {@code spool-io-error}, {@code closed}
 * @param spoolBytes bytes the spool occupies on disk now
 * @param brokerReachable false while the sink is spooling because the broker did not answer
 */
public record SinkStats(
    long published,
    long sent,
    long spooled,
    long replayed,
    long dropped,
    Map<String, Long> droppedByReason,
    long spoolBytes,
    boolean brokerReachable) {

  public SinkStats {
    droppedByReason = Map.copyOf(droppedByReason);
  }

  /** Dropped events for one reason, 0 when none. */
  public long dropped(String reason) {
    return droppedByReason.getOrDefault(reason, 0L);
  }
}
