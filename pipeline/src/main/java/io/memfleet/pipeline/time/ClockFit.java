package io.memfleet.pipeline.time;

/**
 * One fitted line {@code utc = refY + nsPerUnit * (raw - refX)} with the error it carries inside
 * the range of the samples it was fitted on, and how fast that error grows outside it. A Flink
 * POJO because it is part of the keyed state ({@link ClockModelState}).
 */
public class ClockFit {
  public long refX;
  public long refY;
  public double nsPerUnit;
  /** Error inside [minX, maxX]: largest fit residual plus half the widest kept bracket. */
  public long errorNs;
  public long minX;
  public long maxX;
  /** Relative uncertainty of nsPerUnit, used to widen the bound when extrapolating. */
  public double driftUncertainty;
  /** Number of samples the fit used. */
  public int samples;

  public ClockFit() {}

  public long utcNs(long raw) {
    return refY + Math.round((double) (raw - refX) * nsPerUnit);
  }

  public long errorBoundNs(long raw) {
    long outside = raw < minX ? minX - raw : raw > maxX ? raw - maxX : 0;
    double extrapolation = (double) outside * nsPerUnit * driftUncertainty;
    return errorNs + (long) Math.ceil(extrapolation);
  }

  /** Drift against UTC in parts per million, given the domain's nominal ns per unit. */
  public double driftPpm(double nominalNsPerUnit) {
    return (nsPerUnit / nominalNsPerUnit - 1.0) * 1e6;
  }
}
