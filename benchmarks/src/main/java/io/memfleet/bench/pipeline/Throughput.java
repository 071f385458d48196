package io.memfleet.bench.pipeline;

/**
 * One timed pass over the workload by one reader (the bare consumer, or a pipeline variant).
 *
 * <p>{@code records} is what the pass read from Kafka (events and ClockSync samples alike, the
 * same for every reader). {@code steadyNs} runs from the first record handed to the reader's
 * last stage to the last one (for the pipeline: first and last arrival at the counting sink);
 * {@code totalNs} from before the consumer or the MiniCluster was created to that last record,
 * so it includes start-up (not shut-down).
 *
 * @param variant what ran, e.g. {@code baseline} or {@code ALIGN p=2}
 * @param records records read from the topics
 * @param delivered records counted at the end of the pass (decoded records for the baseline,
 *     events at the sink for the pipeline, without derived events)
 * @param steadyNs first to last record
 * @param totalNs start to the last record, start-up included
 */
public record Throughput(
    String variant, long records, long delivered, long steadyNs, long totalNs) {

  /** Records per second over the steady window. */
  public double recordsPerSecond() {
    return steadyNs <= 0 ? Double.NaN : records * 1e9 / steadyNs;
  }

  /** Records per second including start-up. */
  public double recordsPerSecondTotal() {
    return totalNs <= 0 ? Double.NaN : records * 1e9 / totalNs;
  }
}
