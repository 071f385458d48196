package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.MemoryPool;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;

/**
 * A pool outside the heap keeps growing: {@code metaspace-growth} (class metadata: a class-loader
 * leak — classes loaded again and again into loaders that are never released),
 * {@code direct-buffer-growth} (direct and mapped byte buffers that are allocated and kept) and
 * {@code shmem-growth} (shared memory and tmpfs files, which unlike page cache the kernel cannot
 * reclaim: files written to /dev/shm or an emptyDir in memory and never removed).
 *
 * <p>Input: {@link Signal#POOL} observations of the rule's series (the pool's latest size in a
 * bucket, its configured maximum as companion). Thresholds under
 * {@code memfleet.detect.<rule>.*} as for every {@link GrowthRule}: a rising run over
 * {@code min-span}, enough growth, growth that lasts to the end of the run (class loading at
 * start-up levels off; a leaking plugin reloader does not). Forecasts reaching
 * {@code MaxMetaspaceSize} / {@code MaxDirectMemorySize} when set.
 *
 * <pre>{@code
 * new PoolGrowthRule("metaspace-growth", MemoryPool.METASPACE, "metaspace", settings, horizon);
 * }</pre>
 */
public final class PoolGrowthRule extends GrowthRule {
  private static final long serialVersionUID = 1L;
  public static final String METASPACE = "metaspace-growth";
  public static final String DIRECT_BUFFERS = "direct-buffer-growth";
  public static final String SHMEM = "shmem-growth";

  private final String name;
  private final MemoryPool pool;
  private final String words;

  public PoolGrowthRule(String name, MemoryPool pool, String words, GrowthSettings settings,
      Duration criticalHorizon) {
    super(settings, criticalHorizon);
    this.name = name;
    this.pool = pool;
    this.words = words;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Signal signal() {
    return Signal.POOL;
  }

  @Override
  public boolean accepts(Observation o) {
    return o.signal == Signal.POOL && pool.name().equals(o.series);
  }

  @Override
  public MemoryPool pool(Observation o) {
    return pool;
  }

  @Override
  protected String what() {
    return words;
  }

  @Override
  protected String poolName() {
    return words;
  }

  @Override
  protected boolean plural() {
    return pool == MemoryPool.DIRECT_BUFFERS;
  }

  @Override
  public String evidenceKind(Observation o) {
    return "MemoryPools." + pool.name() + ".usedBytes";
  }

  @Override
  public String describe(Observation o) {
    return Double.isNaN(o.companion) ? words + " in use"
        : words + " in use, maximum " + Trend.mib(o.companion);
  }
}
