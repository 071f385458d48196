package io.memfleet.pipeline.time;

/**
 * One row of {@code clock_calibration}: where one clock model of one host boot stood after a
 * ClockSync sample, as {@link ClockAlignFunction} reports it (side output
 * {@link ClockAlignFunction#CALIBRATIONS}). A Flink POJO.
 *
 * <p>For a sample with raw reading {@code raw} in a domain of nominal rate {@code nominal}
 * (nanoseconds per unit: 1 for nanosecond clocks, 1e9/Hz for tick counters) and the model's fit
 * {@code utc(raw)}:
 *
 * <ul>
 *   <li>{@link #utcNs} = {@code utc(raw)}: when, on the UTC timeline, the sample was read;
 *   <li>{@link #offsetNs} = {@code utc(raw) − round(raw · nominal)}: what to add to the raw
 *       reading, counted at the nominal rate, to get UTC at that sample. For MONOTONIC that is the
 *       boot time in UTC; for a tick domain it is the UTC of the tick origin, had the counter
 *       always run at its nominal rate — drift moves it, so compare offsets of one domain only
 *       over short spans;
 *   <li>{@link #driftPpb}: how much more UTC time than nominal one unit of the clock stands for,
 *       in parts per billion ({@code (fitted ns per unit / nominal − 1) · 1e9}): positive when the
 *       clock runs slow against UTC, negative when fast; 0 while the model assumes the nominal
 *       rate (its samples span too little time to fit one);
 *   <li>{@link #errorBoundNs}: the bound of a conversion at {@code raw};
 *   <li>{@link #samples}: how many samples the fit used.
 * </ul>
 *
 * <p>{@link #clockDomain} is the domain's name ({@code MONOTONIC}, {@code PERF_CLOCK},
 * {@code TSC}); a JVM's own ticks, which only that process uses, are named
 * {@code JFR_TICKS@pid/processStartMs} (see {@link ClockDomains#calibrationName}).
 */
public class ClockCalibration {
  public String cluster;
  public String node;
  public String bootId;
  public String clockDomain;
  public long utcNs;
  public long offsetNs;
  public double driftPpb;
  public long errorBoundNs;
  public int samples;

  public ClockCalibration() {}

  /**
   * The calibration of {@code model} at its newest sample, read at {@code raw}.
   *
   * @param sample the sample just added (host identity)
   * @param clockDomain name of the model, as {@link ClockDomains#calibrationName} gives it
   */
  static ClockCalibration of(ClockSample sample, String clockDomain, ClockModel model, long raw) {
    ClockFit fit = model.currentFit();
    double nominal = model.state().nominalNsPerUnit;
    ClockCalibration c = new ClockCalibration();
    c.cluster = sample.cluster;
    c.node = sample.node;
    c.bootId = sample.bootId;
    c.clockDomain = clockDomain;
    c.utcNs = fit.utcNs(raw);
    // nanosecond domains exactly; tick counts through a double (ns precision up to ~2^53 ns)
    c.offsetNs = c.utcNs - (nominal == 1.0 ? raw : Math.round((double) raw * nominal));
    c.driftPpb = fit.driftPpm(nominal) * 1_000.0;
    c.errorBoundNs = fit.errorBoundNs(raw);
    c.samples = fit.samples;
    return c;
  }

  /** Milliseconds of {@link #utcNs}, the row's partition time. */
  public long utcMs() {
    return Math.floorDiv(utcNs, 1_000_000L);
  }

  @Override
  public String toString() {
    return "ClockCalibration[" + cluster + "/" + node + "/" + bootId + " " + clockDomain
        + " at " + utcNs + " offset=" + offsetNs + " drift=" + driftPpb + "ppb ±" + errorBoundNs
        + " n=" + samples + "]";
  }
}
