package io.memfleet.pipeline.detect.rules;

import static io.memfleet.pipeline.detect.Observations.MB;
import static io.memfleet.pipeline.detect.Observations.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memfleet.event.Alert;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.Severity;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Observations;
import io.memfleet.pipeline.detect.Rules;
import io.memfleet.pipeline.detect.Signal;
import io.memfleet.pipeline.detect.alert.Fingerprints;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Every rule with its default settings on its real CEP operator: leaks fire, the hard negatives
 * the issue names (sawtooth back to baseline, bursty goroutines, a large stable cache, GC-heavy
 * but not leaking) do not.
 */
class LeakRulesTest {
  private static final List<LeakRule> RULES = Rules.all(new Configuration());

  static LeakRule rule(String name) {
    return RULES.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  /** One observation every 10 s for {@code seconds}, value = f(t), with ±0.3% noise. */
  static List<Observation> series(Signal signal, int seconds, DoubleUnaryOperator f,
      double companion) {
    List<Observation> out = new ArrayList<>();
    for (int t = 0; t <= seconds; t += 10) {
      double noise = ((t * 7919) % 13 - 6) / 6.0 * 0.003;
      out.add(of(signal, t, f.applyAsDouble(t) * (1 + noise), companion));
    }
    return out;
  }

  static List<Alert> run(String rule, List<Observation> observations) throws Exception {
    try (RuleHarness h = new RuleHarness(rule(rule))) {
      return h.feed(observations).alerts();
    }
  }

  @Test
  void liveSetGrowthFiresOnRisingHeapAfterGcWithForecast() throws Exception {
    // full collections in the run: the live set itself grows
    List<Alert> alerts = run(LiveSetGrowthRule.NAME,
        confirmed(series(Signal.LIVE_SET, 240, t -> 100 * MB + t * MB, 512 * MB)));
    assertThat(alerts).isNotEmpty();
    Alert a = alerts.get(0);
    assertThat(a.getRule()).isEqualTo("live-set-growth");
    assertThat(a.getGrowthBytesPerSecond()).isCloseTo(MB, within(0.1 * MB));
    // growth since the process started, with the heap maximum minutes away but further than the
    // run has been seen rising and the heap under half of it: not alerted at 90 s (a cache
    // filling from the start looks the same), but once the growth went on for min-span past
    // the from-start window (the series begins 100 s after its process: 120 + 90 s of the
    // process's life), with ~210 MiB used, (512 − 210) MiB to go at 1 MiB/s
    assertThat(a.getLastSeenUtcNs() - Observations.T0_NS).isBetween(110 * Observations.S,
        120 * Observations.S);
    assertThat(a.getTimeToOomSeconds()).isCloseTo(302, within(20.0));
    assertThat(a.getForecastOomUtcNs()).isGreaterThan(a.getLastSeenUtcNs());
    assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.getEvidence()).hasSizeGreaterThanOrEqualTo(6);
    assertThat(a.getEvidence().get(0).getKind()).isEqualTo("GcCycle.liveBytes(min)");
    assertThat(a.getVerdict()).isEqualTo("heap grows 1.0 MiB/s");
    assertThat(a.getPool()).isEqualTo(io.memfleet.event.MemoryPool.HEAP);
    assertThat(a.getLastSeenUtcNs() - a.getFirstSeenUtcNs())
        .isGreaterThanOrEqualTo(90_000_000_000L);

    // young collections only: the same numbers may be promoted garbage G1 has not collected
    // yet, so the forecast does not hurry it; after five minutes of growth it is reported, with
    // the caveat in its verdict
    assertThat(run(LiveSetGrowthRule.NAME,
        series(Signal.LIVE_SET, 150, t -> 100 * MB + t * MB, 512 * MB))).isEmpty();
    List<Alert> young = run(LiveSetGrowthRule.NAME,
        series(Signal.LIVE_SET, 330, t -> 100 * MB + t * MB, 512 * MB));
    assertThat(young).isNotEmpty();
    assertThat(young.get(0).getEvidence().get(0).getKind())
        .isEqualTo("GcCycle.heapAfterBytes(min, young)");
    assertThat(young.get(0).getVerdict()).startsWith("heap grows 1.0 MiB/s")
        .contains("not yet confirmed by an old-generation collection");
  }

  private static List<Observation> confirmed(List<Observation> series) {
    series.forEach(o -> o.confirmed = true);
    return series;
  }

  @Test
  void aWarmUpThatLevelsOffDoesNotFireAndALeakFromStartDoes() throws Exception {
    // 5 MiB/s for the first 50 s (reference data loading), then flat
    assertThat(run(LiveSetGrowthRule.NAME, series(Signal.LIVE_SET, 600,
        t -> 50 * MB + Math.min(t, 50) * 5 * MB, 4096 * MB))).isEmpty();
    // a leak of 1 MiB/s from the start (the process is 100 s old at 0), full collections
    // confirming it: ambiguous with a cache filling until it outlasts the from-start window
    List<Alert> leak = run(LiveSetGrowthRule.NAME, confirmed(series(Signal.LIVE_SET, 600,
        t -> 50 * MB + t * MB, 4096 * MB)));
    assertThat(leak).isNotEmpty();
    assertThat(leak.get(0).getLastSeenUtcNs() - Observations.T0_NS)
        .isLessThanOrEqualTo(130_000_000_000L);
    // the same leak starting in a process that had run steadily for an hour: 90 s of growth
    List<Observation> late = confirmed(series(Signal.LIVE_SET, 600, t -> 50 * MB + t * MB,
        4096 * MB));
    late.forEach(o -> o.processStartTimeMs = Observations.T0_NS / 1_000_000L - 3_600_000L);
    List<Alert> lateAlerts = run(LiveSetGrowthRule.NAME, late);
    assertThat(lateAlerts).isNotEmpty();
    assertThat(lateAlerts.get(0).getLastSeenUtcNs() - Observations.T0_NS)
        .isLessThanOrEqualTo(100_000_000_000L);
    // young collections only: promoted garbage or a leak; it must outlast five minutes
    late.forEach(o -> o.confirmed = false);
    List<Alert> young = run(LiveSetGrowthRule.NAME, late);
    assertThat(young).isNotEmpty();
    assertThat(young.get(0).getLastSeenUtcNs() - Observations.T0_NS)
        .isBetween(300_000_000_000L, 320_000_000_000L);
    // a cache that fills at 1.5 MiB/s for the first two minutes, then stays at its bound
    List<Observation> cache = confirmed(series(Signal.LIVE_SET, 600,
        t -> 50 * MB + Math.min(t, 120) * 1.5 * MB, 4096 * MB));
    cache.forEach(o -> o.processStartTimeMs = Observations.T0_NS / 1_000_000L);
    assertThat(run(LiveSetGrowthRule.NAME, cache)).isEmpty();
  }

  @Test
  void youngOnlyG1FloorsBelowWhereG1StartsMarkingAreNoEvidence() throws Exception {
    // a Kafka broker an hour old: heap after young collections creeping 43 KiB/s from 160 MiB
    // in a 512 MiB heap, no marking yet — promoted garbage G1 has not looked at
    java.util.function.Function<Boolean, List<Observation>> creep = g1 -> {
      List<Observation> obs = series(Signal.LIVE_SET, 600, t -> 160 * MB + t * 43 * 1024,
          512 * MB);
      obs.forEach(o -> {
        o.g1 = g1;
        o.processStartTimeMs = Observations.T0_NS / 1_000_000L - 3_600_000L;
      });
      return obs;
    };
    assertThat(run(LiveSetGrowthRule.NAME, creep.apply(true))).isEmpty();
    // the same floors from a Parallel or Serial heap, whose old generation is collected only
    // when full, are judged as before
    assertThat(run(LiveSetGrowthRule.NAME, creep.apply(false))).isNotEmpty();
    // a G1 leak past where G1 marks is judged (its markings and mixed collections come too)
    List<Observation> leak = series(Signal.LIVE_SET, 600, t -> 240 * MB + t * MB, 512 * MB);
    leak.forEach(o -> {
      o.g1 = true;
      o.processStartTimeMs = Observations.T0_NS / 1_000_000L - 3_600_000L;
    });
    assertThat(run(LiveSetGrowthRule.NAME, leak)).isNotEmpty();
  }

  @Test
  void aWarmUpFollowedByACreepIsJudgedOnWhatItGrewAfterTheFromStartWindow() throws Exception {
    // memfleet's own collector JVM: heap after GC 16 -> 60 MiB in its first two minutes, then a
    // creep of 17 KiB/s (promoted garbage before G1's first marking); the warm-up's growth is no
    // evidence for the creep after it
    DoubleUnaryOperator warmUpThenCreep = t -> t <= 120 ? 16 * MB + t * 44.0 / 120 * MB
        : 60 * MB + (t - 120) * 17 * 1024;
    List<Observation> creep = confirmed(series(Signal.LIVE_SET, 540, warmUpThenCreep, 256 * MB));
    creep.forEach(o -> o.processStartTimeMs = Observations.T0_NS / 1_000_000L);
    assertThat(run(LiveSetGrowthRule.NAME, creep)).isEmpty();
    // the same process leaking 1 MiB/s after its warm-up is found once the window has passed
    List<Observation> leak = confirmed(series(Signal.LIVE_SET, 540,
        t -> t <= 120 ? 16 * MB + t * 44.0 / 120 * MB : 60 * MB + (t - 120) * MB, 4096 * MB));
    leak.forEach(o -> o.processStartTimeMs = Observations.T0_NS / 1_000_000L);
    List<Alert> alerts = run(LiveSetGrowthRule.NAME, leak);
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.get(0).getLastSeenUtcNs() - Observations.T0_NS)
        .isLessThanOrEqualTo(220_000_000_000L);
  }

  @Test
  void aG1SawtoothWhoseRisingEdgesLastMinutesDoesNotFire() throws Exception {
    // heap after young collections climbs 2 MiB/s for 170 s, then mixed collections take it
    // back to 150 MiB (as measured on a stock G1 service with a flat live set)
    List<Observation> saw = series(Signal.LIVE_SET, 1200, t -> 150 * MB + (t % 180) * 2 * MB,
        6 * 1024 * MB);
    saw.forEach(o -> o.processStartTimeMs = Observations.T0_NS / 1_000_000L - 3_600_000L);
    assertThat(run(LiveSetGrowthRule.NAME, saw)).isEmpty();
  }

  /**
   * Heap after young collections climbs 3 MiB/s with promoted garbage; every 40 s a marking and
   * its mixed collections take it back to the floor (the shape of a stock G1 JVM filling a 512
   * MiB heap): never one rising run, so only the floors tell. A 1 GiB maximum: floors must rise
   * more than the 51 MiB G1 may leave as garbage.
   */
  private static List<Observation> g1Sawtooth(int seconds, DoubleUnaryOperator floor) {
    List<Observation> saw = series(Signal.LIVE_SET, seconds,
        t -> floor.applyAsDouble(t) + (t % 40) * 3 * MB, 1024 * MB);
    saw.forEach(o -> o.processStartTimeMs = Observations.T0_NS / 1_000_000L - 3_600_000L);
    return saw;
  }

  @Test
  void aG1LeakWhoseMixedCollectionsKeepTakingGarbageBackFiresOnItsRisingFloors()
      throws Exception {
    List<Alert> leak = run(LiveSetGrowthRule.NAME, g1Sawtooth(900, t -> 150 * MB + t * MB / 2));
    assertThat(leak).isNotEmpty();
    Alert a = leak.get(0);
    // floors over at least young-only-min-span (5 min), at the floors' rate
    assertThat(a.getLastSeenUtcNs() - Observations.T0_NS)
        .isBetween(300_000_000_000L, 360_000_000_000L);
    assertThat(a.getGrowthBytesPerSecond()).isCloseTo(MB / 2, within(0.1 * MB));
    assertThat(a.getVerdict()).contains("not yet confirmed by an old-generation collection");
  }

  @Test
  void aG1SawtoothOverAFlatOrLevellingFloorDoesNotFire() throws Exception {
    // floors that wander ±8 MiB around 150 MiB
    assertThat(run(LiveSetGrowthRule.NAME,
        g1Sawtooth(1200, t -> 150 * MB + ((t * 7) % 17 - 8) * MB))).isEmpty();
    // floors that rise while the service warms up (caches, pools) and level off after 2 min
    List<Observation> warmUp = g1Sawtooth(1200, t -> 150 * MB + Math.min(t, 120) * MB);
    warmUp.forEach(o -> o.processStartTimeMs = Observations.T0_NS / 1_000_000L);
    assertThat(run(LiveSetGrowthRule.NAME, warmUp)).isEmpty();
    // a service an hour old whose cache refills for 100 s, then stays full
    assertThat(run(LiveSetGrowthRule.NAME,
        g1Sawtooth(1200, t -> 150 * MB + Math.max(0, Math.min(t - 200, 100)) * MB))).isEmpty();
  }

  /**
   * A stock G1 JVM with a 4 GiB maximum: heap after young collections climbs 3 MiB/s with
   * promoted garbage; every {@code period} s a mixed collection (marked reclaimed) takes it back
   * to {@code floor}; the process is an hour old.
   */
  private static List<Observation> g1Mixed(int seconds, int period, DoubleUnaryOperator floor) {
    List<Observation> saw = series(Signal.LIVE_SET, seconds,
        t -> floor.applyAsDouble(t) + (t % period) * 3 * MB, 4096 * MB);
    saw.forEach(o -> {
      o.processStartTimeMs = Observations.T0_NS / 1_000_000L - 3_600_000L;
      long t = (o.utcNs - Observations.T0_NS) / 1_000_000_000L;
      o.reclaimed = t > 0 && t % period == 0;
    });
    return saw;
  }

  @Test
  void aG1LeakWithRareMixedCollectionsFiresOnTheEnvelopeUpToTheLastOne() throws Exception {
    // a mixed phase every 60 s, each breaking the rising run; the heap after GC up to the last
    // ones rises 1 MiB/s: found once three mixed phases confirm the envelope's points
    List<Alert> leak = run(LiveSetGrowthRule.NAME, g1Mixed(600, 60, t -> 300 * MB + t * MB));
    assertThat(leak).isNotEmpty();
    Alert a = leak.get(0);
    long found = a.getLastSeenUtcNs() - Observations.T0_NS;
    assertThat(found).isBetween(240_000_000_000L, 320_000_000_000L);
    assertThat(a.getGrowthBytesPerSecond()).isCloseTo(MB, within(0.3 * MB));
    assertThat(a.getVerdict()).contains("up to G1's last mixed collections");
  }

  @Test
  void aG1SawtoothWhoseMixedCollectionsReturnToAFlatOrLevellingFloorDoesNotFire()
      throws Exception {
    // floors that wander ±8 MiB around 300 MiB, a mixed phase every 60 or 150 s
    for (int period : new int[] {60, 150}) {
      assertThat(run(LiveSetGrowthRule.NAME,
          g1Mixed(1200, period, t -> 300 * MB + ((t * 7) % 17 - 8) * MB))).isEmpty();
    }
    // floors that wander within G1's garbage allowance (5 % of the 4 GiB maximum): up 150 MiB
    // over ten minutes and back
    assertThat(run(LiveSetGrowthRule.NAME, g1Mixed(1200, 60,
        t -> 300 * MB + (t < 600 ? t : 1200 - t) * MB / 4))).isEmpty();
    // a warm-up whose floors level off after two minutes, from the process start
    List<Observation> warmUp = g1Mixed(1200, 60, t -> 150 * MB + Math.min(t, 120) * MB);
    warmUp.forEach(o -> o.processStartTimeMs = Observations.T0_NS / 1_000_000L);
    assertThat(run(LiveSetGrowthRule.NAME, warmUp)).isEmpty();
    // a long young-only climb (2 MiB/s for 170 s) that one mixed phase takes back
    assertThat(run(LiveSetGrowthRule.NAME, g1Mixed(1200, 180,
        t -> 150 * MB - (t % 180) * MB))).isEmpty();
  }

  /**
   * A ZGC heap an hour old, a cycle every 22 s: the heap after each cycle (every one shows the
   * live set), with the garbage it may leave ({@link LiveSetGrowthRule#garbageLeft}).
   */
  private static List<Observation> zgc(int seconds, DoubleUnaryOperator after) {
    List<Observation> out = new ArrayList<>();
    for (int t = 0; t <= seconds; t += 22) {
      double v = after.applyAsDouble(t);
      Observation o = of(Signal.LIVE_SET, t, v, 6028 * MB);
      o.confirmed = true;
      o.usedCompanion = LiveSetGrowthRule.garbageLeft(false, true, v, Double.NaN);
      o.processStartTimeMs = Observations.T0_NS / 1_000_000L - 3_600_000L;
      out.add(o);
    }
    return out;
  }

  @Test
  void aZgcHeapWhoseRegionsFillWithDeadEntriesDoesNotFireALeakOnItDoes() throws Exception {
    // JDK 25's generational ZGC under a bounded session store (106 MB live, replaced at
    // 54 MB/s): heap after its cycles from the trace, 140 -> 160 MiB in four minutes, then flat
    double[] seen = {140, 142, 140, 140, 144, 146, 148, 154, 152, 158, 154, 156, 160, 158, 150,
        154, 152, 152, 158, 152, 160};
    assertThat(run(LiveSetGrowthRule.NAME,
        zgc(20 * 22, t -> seen[Math.min((int) t / 22, seen.length - 1)] * MB))).isEmpty();
    // the same heap with a leak of 1 MiB/s: found within four minutes
    List<Alert> leak = run(LiveSetGrowthRule.NAME, zgc(600, t -> (140 + t) * MB));
    assertThat(leak).isNotEmpty();
    assertThat(leak.get(0).getLastSeenUtcNs() - Observations.T0_NS)
        .isLessThan(240_000_000_000L);
    assertThat(leak.get(0).getGrowthBytesPerSecond()).isCloseTo(MB, within(0.1 * MB));
  }

  @Test
  void aG1EnvelopeIsJudgedAgainstTheHeapsCommittedSizeNotItsMaximum() throws Exception {
    // floors after mixed collections rising 0.3 MiB/s for ten minutes on a JVM with a 4 GiB
    // maximum: within 5 % of the maximum (205 MiB) all along, but G1 reckons the garbage it
    // leaves against its capacity, and this heap has 600 MiB committed (30 MiB of allowance)
    List<Observation> floors = g1Mixed(600, 60, t -> 300 * MB + t * 0.3 * MB);
    assertThat(run(LiveSetGrowthRule.NAME, floors)).as("committed size unknown").isEmpty();
    floors.forEach(o -> o.usedCompanion = 0.05 * 600 * MB);
    List<Alert> leak = run(LiveSetGrowthRule.NAME, floors);
    assertThat(leak).isNotEmpty();
    assertThat(leak.get(0).getVerdict()).contains("up to G1's last mixed collections");
    // the same heap with a flat live set, its floors wandering ±8 MiB, stays quiet
    List<Observation> flat = g1Mixed(1200, 60, t -> 300 * MB + ((t * 7) % 17 - 8) * MB);
    flat.forEach(o -> o.usedCompanion = 0.05 * 600 * MB);
    assertThat(run(LiveSetGrowthRule.NAME, flat)).isEmpty();
  }

  /**
   * A stock G1 JVM with a 512 MiB heap whose mixed phases come every few seconds (three buckets
   * of four hold one): the floors after them scatter from 20 MiB below to 27 MiB above
   * {@code floor} with the old regions G1 chose (75 to 122 MiB seen around a flat live set);
   * young-only buckets sit 40 MiB higher. The process is an hour old.
   */
  private static List<Observation> g1ScatteredFloors(int seconds, DoubleUnaryOperator floor) {
    List<Observation> out = new ArrayList<>();
    for (int t = 0; t <= seconds; t += 10) {
      boolean mixed = t / 10 % 4 != 3;
      double scatter = ((t * 37) % 48 - 20) * MB;
      Observation o = of(Signal.LIVE_SET, t, floor.applyAsDouble(t) + scatter
          + (mixed ? 0 : 40 * MB), 512 * MB);
      o.reclaimed = mixed;
      o.processStartTimeMs = Observations.T0_NS / 1_000_000L - 3_600_000L;
      out.add(o);
    }
    return out;
  }

  @Test
  void aG1SawtoothWhoseFloorsScatterAndDriftALittleDoesNotFireALeakUnderTheSameScatterDoes()
      throws Exception {
    // floors around 95 MiB drifting up 26 MiB in five minutes (a clean CI run's sawtooth): the
    // envelope of scattered floors rises by their band on its own
    assertThat(run(LiveSetGrowthRule.NAME,
        g1ScatteredFloors(480, t -> 95 * MB + t * 0.087 * MB))).isEmpty();
    // the same scatter over a live set growing 0.5 MiB/s
    List<Alert> leak = run(LiveSetGrowthRule.NAME,
        g1ScatteredFloors(480, t -> 95 * MB + t * 0.5 * MB));
    assertThat(leak).isNotEmpty();
    assertThat(leak.get(0).getVerdict()).contains("up to G1's last mixed collections");
  }

  @Test
  void aCacheThatFilledUnderLoadAndStaysFlatDoesNotFireOnItsEnvelopesEnd() throws Exception {
    // a stock G1 JVM (512 MiB) whose 200 MiB cache filled from its start until about 175 s on a
    // busy host, then stayed flat: its LIVE_SET buckets in an eval run ({seconds after the
    // start, lowest heap after GC in MiB, 1 when a mixed collection is in the bucket}); the
    // envelope's end, an order statistic of ever fewer floors, still rose 0.17 MiB/s
    double[][] buckets = {
        {24, 5.7, 0},
        {33, 55.4, 0},
        {44, 132.4, 0},
        {52, 179.4, 0},
        {63, 132.9, 1},
        {73, 145.4, 1},
        {81, 176.4, 0},
        {94, 179.4, 0},
        {103, 198.4, 1},
        {115, 206.9, 0},
        {126, 228.9, 1},
        {137, 238.1, 0},
        {147, 251.4, 1},
        {162, 276.4, 0},
        {174, 261.4, 0},
        {184, 261.9, 1},
        {191, 297.9, 0},
        {204, 251.9, 1},
        {213, 280.4, 0},
        {221, 294.9, 0},
        {234, 259.9, 1},
        {243, 282.4, 0},
        {251, 294.4, 0},
        {263, 257.9, 0},
        {273, 263.4, 1},
        {281, 304.4, 0},
        {293, 249.4, 1},
        {302, 287.4, 0},
        {309, 302.9, 0},
        {322, 249.9, 1}
    };
    List<Observation> cache = new ArrayList<>();
    for (double[] b : buckets) {
      Observation o = of(Signal.LIVE_SET, b[0] - 100, b[1] * MB, 512 * MB);
      o.processStartTimeMs = (Observations.T0_NS - 100 * Observations.S) / 1_000_000L;
      o.reclaimed = b[2] == 1;
      cache.add(o);
    }
    assertThat(run(LiveSetGrowthRule.NAME, cache)).isEmpty();
  }

  /**
   * A stock G1 JVM started at 0 whose every 10 s bucket holds a mixed collection, its heap after
   * GC at {@code floor}, the heap maximum {@code maxMib}.
   */
  private static List<Observation> g1FromStart(int seconds, int maxMib,
      DoubleUnaryOperator floor) {
    List<Observation> out = new ArrayList<>();
    for (int t = 10; t <= seconds; t += 10) {
      Observation o = of(Signal.LIVE_SET, t, floor.applyAsDouble(t), maxMib * MB);
      o.processStartTimeMs = Observations.T0_NS / 1_000_000L;
      o.reclaimed = true;
      out.add(o);
    }
    return out;
  }

  @Test
  void aSmallHeapFillingFastIsAlertedBeforeItRunsOutLongBeforeMinSpan() throws Exception {
    // 2 MiB/s into a 128 MiB heap: its floors reach the maximum at about 55 s
    List<Alert> oome = run(LiveSetGrowthRule.NAME,
        g1FromStart(55, 128, t -> 18 * MB + t * 2 * MB));
    assertThat(oome).isNotEmpty();
    Alert a = oome.get(0);
    assertThat(a.getSeverity()).isEqualTo(io.memfleet.event.Severity.CRITICAL);
    assertThat(a.getLastSeenUtcNs() - Observations.T0_NS).isLessThan(55 * Observations.S);
    // floors after young and mixed collections hold garbage a full collection takes back: when
    // they reach the maximum G1 falls back to full collections, the OutOfMemoryError comes when
    // the live set fills the heap; without a collection that showed it, no time to OOM
    assertThat(a.getTimeToOomSeconds()).isNull();
    assertThat(a.getForecastOomUtcNs()).isNull();
    assertThat(a.getSummary()).contains("at the maximum in about")
        .contains("G1 falls back to full collections");
    // a warm-up loading 60 % of its 512 MiB heap at 5 MiB/s, then flat: its floors stopped
    // rising before the envelope saw it above half the heap
    assertThat(run(LiveSetGrowthRule.NAME,
        g1FromStart(300, 512, t -> 100 * MB + Math.min(t, 42) * 5 * MB))).isEmpty();
  }

  @Test
  void aCacheFillingHalfTheHeapIsNotForecastFromTheGarbageG1LeavesInItsRegions()
      throws Exception {
    // jvm-cache-fill-flat in a CI run: a 200 MiB cache filling from its start in a 512 MiB
    // heap, then flat. After mixed collections its floors held the cache plus what G1 leaves:
    // regions more than 85 % live are not collected, and 5 % of the heap may stay as waste. The
    // envelope climbed from a few MiB to 53 % of the heap, still rising ("at the maximum in about
    // 132 s"), and stopped: floors near 300 MiB may hold as little as 230 MiB of live data
    assertThat(run(LiveSetGrowthRule.NAME, g1FromStart(400, 512, t -> Math.min(1.6 * t, 300) * MB)))
        .isEmpty();
    // the same floors over a live set that does fill the heap: alerted before they reach it
    List<Alert> leak = run(LiveSetGrowthRule.NAME, g1FromStart(400, 512, t -> 1.6 * t * MB));
    assertThat(leak).isNotEmpty();
    assertThat(leak.get(0).getSummary()).contains("G1 falls back to full collections");
    assertThat(leak.get(0).getLastSeenUtcNs() - Observations.T0_NS)
        .isLessThan(300 * Observations.S);
  }

  /**
   * A G1 JVM started at 0 with a {@code maxMib} heap, seen every 2 s (the OOM bucket): its live
   * set at {@code live(t)}; before {@code firstFull} s only young and mixed collections, whose
   * floors hold {@code garbageMib} more; from then on full collections, which show the live set.
   */
  private static List<Observation> g1Every2s(int seconds, int maxMib, int firstFull,
      int garbageMib, DoubleUnaryOperator live) {
    return g1Seen(2, seconds, maxMib, firstFull, t -> garbageMib * MB, live);
  }

  /** As {@link #g1Every2s}, seen from {@code from} s on, G1's garbage {@code garbage(t)} bytes. */
  private static List<Observation> g1Seen(int from, int seconds, int maxMib, int firstFull,
      DoubleUnaryOperator garbage, DoubleUnaryOperator live) {
    List<Observation> out = new ArrayList<>();
    for (int t = from; t <= seconds; t += 2) {
      double l = live.applyAsDouble(t);
      boolean full = t >= firstFull;
      Observation o = of(Signal.LIVE_SET, t, full ? l : l + garbage.applyAsDouble(t),
          maxMib * MB);
      o.bucketStartUtcNs = o.utcNs - o.utcNs % (2 * Observations.S);
      o.processStartTimeMs = Observations.T0_NS / 1_000_000L;
      o.reclaimed = !full;
      o.confirmed = full;
      o.newest = o.value + 3 * MB;
      if (full) {
        o.live = l;
        o.liveUtcNs = o.utcNs;
        o.liveFirst = l;
        o.liveFirstUtcNs = o.utcNs;
      }
      out.add(o);
    }
    return out;
  }

  @Test
  void aSmallHeapFillingFastIsForecastFromTheLiveSetOnceAFullCollectionShowsIt()
      throws Exception {
    // jvm-oome's shape: 2 MiB/s into 128 MiB, floors 15 MiB above the live set until G1 falls
    // back to full collections at 46 s (live set 102 MiB): OutOfMemoryError at 59 s
    List<Alert> alerts = run(LiveSetGrowthRule.NAME,
        g1Every2s(58, 128, 46, 15, t -> 10 * MB + t * 2 * MB));
    List<Alert> forecasts = alerts.stream().filter(a -> a.getForecastOomUtcNs() != null)
        .toList();
    assertThat(forecasts).isNotEmpty();
    Alert first = forecasts.get(0);
    // made when the full collection was seen, not when its 10-s point closed; reported at once
    // though the floors had raised the finding before (a forecast that becomes known is news)
    assertThat(first.getLastSeenUtcNs()).isEqualTo(Observations.T0_NS + 46 * Observations.S);
    assertThat(alerts.indexOf(first)).isPositive();
    assertThat(alerts.get(0).getForecastOomUtcNs()).isNull();
    // one live set: the rate is its rise since the floors' first, which held 15 MiB of
    // garbage too — 1.7 MiB/s here, where the floors' climb is the live set's 2 MiB/s exactly
    // (garbage that stays the same: on the recorded runs it grew with the heap): 2.7 s late
    assertThat((first.getForecastOomUtcNs() - Observations.T0_NS) / 1e9).isCloseTo(61.7,
        within(0.5));
    assertThat(first.getTimeToOomSeconds()).isCloseTo(15.7, within(0.5));
    assertThat(first.getSeverity()).isEqualTo(Severity.CRITICAL);
    assertThat(first.getSummary()).contains("JVM live set 102.0 MiB")
        .contains("live set rising 1.7 MiB/s since the heap's climb began")
        .contains("OutOfMemoryError in about 16 s");
    // the floors alone (a forecast from them would say 51.5 s, half of the 13 s left early)
    // forecast nothing
    assertThat(run(LiveSetGrowthRule.NAME,
        g1Every2s(44, 128, 1000, 15, t -> 10 * MB + t * 2 * MB)))
        .allMatch(a -> a.getForecastOomUtcNs() == null);
  }

  @Test
  void onceCollectionsShowTheLiveSetTwiceItsOwnRiseGivesTheRate() throws Exception {
    // the agent's view of jvm-oome on JDK 25: its stream began 20 s into the JVM's life, so
    // the floors seen are only the nearly full stretch, where the garbage G1 leaves shrinks as
    // the heap fills: they rose 1 MiB/s while the live set rose 2 (full collections from 46 s,
    // live set 102 MiB, OutOfMemoryError at 59 s). The floors' three 10-s points before the one
    // with the collections at 50 s (90, 100, 102 MiB) rose 0.6 MiB/s: 30 s left, longer than
    // the climb was seen, so no forecast from them ever; the live set's own rise says 9 s
    List<Alert> alerts = run(LiveSetGrowthRule.NAME, g1Seen(20, 58, 128, 46,
        t -> (40 - (t - 20)) * MB, t -> 10 * MB + t * 2 * MB));
    List<Alert> forecasts = alerts.stream().filter(a -> a.getForecastOomUtcNs() != null)
        .toList();
    assertThat(forecasts).isNotEmpty();
    Alert first = forecasts.get(0);
    assertThat(first.getLastSeenUtcNs()).isEqualTo(Observations.T0_NS + 50 * Observations.S);
    assertThat((first.getForecastOomUtcNs() - Observations.T0_NS) / 1e9).isCloseTo(59.0,
        within(1.0));
    assertThat(first.getSummary()).contains("JVM live set 110.0 MiB")
        .contains("live set rising 2.0 MiB/s").contains("OutOfMemoryError in about 9 s");
    assertThat(first.getVerdict()).startsWith("heap grows 2.0 MiB/s");
  }

  @Test
  void withOneLiveSetTheRateIsItsRiseSinceTheFloorsClimbBegan() {
    // jvm-oome recorded on 2026-12-06 12:11: 10-s floors from 3.8 MiB, the first full
    // collection 38.5 s later showing 110.3 MiB; the floors' own climb ran at about 3 MiB/s
    List<Observation> climb = new ArrayList<>();
    double[] floors = {3.8, 36, 66, 97};
    for (int i = 0; i < floors.length; i++) {
      climb.add(of(Signal.LIVE_SET, 10 * i, floors[i] * MB, 128 * MB));
    }
    assertThat(Trend.of(climb).perSecond()).isCloseTo(3.1 * MB, within(0.1 * MB));
    long liveUtcNs = Observations.T0_NS + (long) (38.5 * Observations.S);
    assertThat(LiveSetForecast.riseSinceClimbBegan(climb, 110.3 * MB, liveUtcNs))
        .isCloseTo((110.3 - 3.8) / 38.5 * MB, within(0.001 * MB));
    // the first point's floor came with its first collection: timed from the point's start
    climb.get(0).bucketStartUtcNs = climb.get(0).utcNs - 8 * Observations.S;
    assertThat(LiveSetForecast.riseSinceClimbBegan(climb, 110.3 * MB, liveUtcNs))
        .isCloseTo((110.3 - 3.8) / 46.5 * MB, within(0.001 * MB));
  }

  @Test
  void theLiveSetsRiseNeedsTwoOfThemSecondsApart() {
    Observation one = of(Signal.LIVE_SET, 10, 100 * MB, 128 * MB);
    one.live = 100 * MB;
    one.liveUtcNs = one.utcNs;
    one.liveFirst = 99 * MB;
    one.liveFirstUtcNs = one.utcNs - Observations.S; // two live sets, 1 s apart: too close
    assertThat(LiveSetForecast.liveSetRise(List.of(one))).isNull();
    one.liveFirstUtcNs = one.utcNs - 2 * Observations.S;
    assertThat(LiveSetForecast.liveSetRise(List.of(one)).slopePerSecond())
        .isCloseTo(MB / 2, within(1.0));
    Observation none = of(Signal.LIVE_SET, 0, 100 * MB, 128 * MB); // no collection showed it
    Observation later = of(Signal.LIVE_SET, 20, 105 * MB, 128 * MB);
    later.live = 105 * MB;
    later.liveUtcNs = later.utcNs;
    assertThat(LiveSetForecast.liveSetRise(List.of(none, later))).isNull();
    assertThat(LiveSetForecast.liveSetRise(List.of(none, one, later)).slopePerSecond())
        .isCloseTo(MB / 2, within(0.05 * MB));
  }

  @Test
  void aLiveSetFlatNearTheMaximumIsNoForecast() throws Exception {
    // jvm-gc-thrashing's shape: its book filled at start (floors 11, 22, 144 MiB in its first
    // 10-s points), then full collections every 2 s keep showing 144 of 160 MiB: a climb, but
    // one that stopped before the live set the collections show
    assertThat(run(LiveSetGrowthRule.NAME, g1Every2s(300, 160, 0, 0,
        t -> (t < 10 ? 11 : t < 20 ? 22 : 144 + (t * 7919 % 5) * 0.3) * MB))).isEmpty();
  }

  @Test
  void finerObservationsFoldIntoTheFloorOfTheirStep() {
    LiveSetGrowthRule rule = (LiveSetGrowthRule) rule(LiveSetGrowthRule.NAME);
    assertThat(rule.resolution()).isEqualTo(java.time.Duration.ofSeconds(10));
    Observation point = of(Signal.LIVE_SET, 0, 110 * MB, 128 * MB);
    point.newest = 112 * MB;
    Observation full = of(Signal.LIVE_SET, 2, 100 * MB, 128 * MB);
    full.confirmed = true;
    full.newest = 104 * MB;
    full.live = 100 * MB;
    full.liveUtcNs = full.utcNs;
    Observation young = of(Signal.LIVE_SET, 4, 106 * MB, 128 * MB);
    young.newest = 108 * MB;
    young.reclaimed = true;
    rule.merge(point, full);
    rule.merge(point, young);
    // the floor is the full collection's, so confirmed; the newest heap after GC the young's
    assertThat(point.value).isEqualTo(100.0 * MB);
    assertThat(point.confirmed).isTrue();
    assertThat(point.reclaimed).isTrue();
    assertThat(point.newest).isEqualTo(108.0 * MB);
    assertThat(point.utcNs).isEqualTo(young.utcNs);
    assertThat(point.live).isEqualTo(100.0 * MB);
    assertThat(point.liveUtcNs).isEqualTo(full.utcNs);
    assertThat(point.count).isEqualTo(9);
    // a second live set: the newest is the point's live set, the oldest stays beside it
    full.liveFirst = 100 * MB;
    full.liveFirstUtcNs = full.utcNs;
    Observation again = of(Signal.LIVE_SET, 5, 103 * MB, 128 * MB);
    again.live = again.liveFirst = 103 * MB;
    again.liveUtcNs = again.liveFirstUtcNs = again.utcNs;
    Observation both = point.copy();
    rule.merge(both, full);
    rule.merge(both, again);
    assertThat(both.live).isEqualTo(103.0 * MB);
    assertThat(both.liveFirst).isEqualTo(100.0 * MB);
    assertThat(both.liveFirstUtcNs).isEqualTo(full.utcNs);
    // a lower young floor later makes the point unconfirmed, as a 10-s bucket would be
    Observation lower = of(Signal.LIVE_SET, 6, 90 * MB, 128 * MB);
    rule.merge(point, lower);
    assertThat(point.confirmed).isFalse();
    assertThat(point.live).isEqualTo(100.0 * MB);
  }

  @Test
  void aYoungOnlyCreepWithMixedCollectionsInItIsJudgedByG1sAllowance() throws Exception {
    // heap after GC creeps 20 MiB in 400 s without a fall, mixed collections every 30 s in it,
    // in a 512 MiB heap: within the 25.6 MiB G1 may leave as garbage, so no leak
    List<Observation> creep = series(Signal.LIVE_SET, 400, t -> 80 * MB + t * MB / 20,
        512 * MB);
    creep.forEach(o -> {
      o.processStartTimeMs = Observations.T0_NS / 1_000_000L - 3_600_000L;
      o.reclaimed = (o.utcNs - Observations.T0_NS) / 1_000_000_000L % 30 == 0;
    });
    assertThat(run(LiveSetGrowthRule.NAME, creep)).isEmpty();
    // the same creep seen through young collections only is a run of five minutes
    creep.forEach(o -> o.reclaimed = false);
    assertThat(run(LiveSetGrowthRule.NAME, creep)).isNotEmpty();
  }

  @Test
  void liveSetSawtoothBackToBaselineDoesNotFire() throws Exception {
    // the floor climbs for 40 s, then a collection takes it back to 100 MiB, over and over
    assertThat(run(LiveSetGrowthRule.NAME, series(Signal.LIVE_SET, 600,
        t -> 100 * MB + (t % 50) * 2 * MB, 512 * MB))).isEmpty();
  }

  @Test
  void liveSetLargeStableCacheDoesNotFire() throws Exception {
    assertThat(run(LiveSetGrowthRule.NAME, series(Signal.LIVE_SET, 600, t -> 400 * MB, 512 * MB)))
        .isEmpty();
  }

  @Test
  void goHeapGrowthFires() throws Exception {
    List<Alert> alerts = run(GoHeapGrowthRule.NAME,
        series(Signal.GO_LIVE_HEAP, 120, t -> 20 * MB + t * 256 * 1024, Double.NaN));
    assertThat(alerts).extracting(Alert::getRule).contains("go-heap-growth");
    assertThat(alerts.get(0).getTimeToOomSeconds()).isNull(); // no GOMEMLIMIT known
    assertThat(alerts.get(0).getSeverity()).isEqualTo(Severity.WARNING);
  }

  @Test
  void goHeapGcHeavyButNotLeakingDoesNotFire() throws Exception {
    // many cycles per bucket, live heap flat with churn noise of ±2%
    List<Observation> obs = new ArrayList<>();
    for (int t = 0; t <= 600; t += 10) {
      Observation o = of(Signal.GO_LIVE_HEAP, t, 30 * MB * (1 + ((t / 10) % 5 - 2) * 0.01),
          Double.NaN);
      o.count = 80;
      obs.add(o);
    }
    assertThat(run(GoHeapGrowthRule.NAME, obs)).isEmpty();
  }

  @Test
  void goroutineLeakFiresOnSteadyGrowthOverTwoMinutes() throws Exception {
    List<Alert> alerts = run(GoroutineLeakRule.NAME,
        series(Signal.GOROUTINES, 200, t -> 200 + 20 * t, Double.NaN));
    assertThat(alerts).isNotEmpty(); // sliding runs: each later bucket matches again
    Alert a = alerts.get(0);
    assertThat(a.getLastSeenUtcNs() - a.getFirstSeenUtcNs())
        .isGreaterThanOrEqualTo(120L * 1_000_000_000L);
    assertThat(a.getEvidence().get(0).getUnit()).isEqualTo("count");
  }

  @Test
  void burstyGoroutinesDoNotFire() throws Exception {
    // spikes to 8000 for 20 s every minute, back to 300 in between
    assertThat(run(GoroutineLeakRule.NAME, series(Signal.GOROUTINES, 600,
        t -> t % 60 < 20 ? 8000 + t : 300, Double.NaN))).isEmpty();
  }

  @Test
  void largeStableGoroutinePoolAndShortGrowthDoNotFire() throws Exception {
    assertThat(run(GoroutineLeakRule.NAME, series(Signal.GOROUTINES, 600, t -> 6000,
        Double.NaN))).isEmpty();
    // a server whose connection count grows with load and levels off
    assertThat(run(GoroutineLeakRule.NAME, series(Signal.GOROUTINES, 600,
        t -> 200 + 30 * Math.min(t, 90), Double.NaN))).isEmpty();
    // growing above the threshold, but only for 90 s before it drains
    assertThat(run(GoroutineLeakRule.NAME, series(Signal.GOROUTINES, 300,
        t -> t <= 90 ? 5100 + 10 * t : 1000, Double.NaN))).isEmpty();
  }

  /** The native rule on a process that has run for 10 minutes (past its warm-up). */
  private static List<Alert> runNative(List<Observation> observations) throws Exception {
    long startMs = Observations.T0_NS / 1_000_000L - 10 * 60_000L;
    observations.forEach(o -> o.processStartTimeMs = startMs);
    return run(NativeGrowthRule.NAME, observations);
  }

  @Test
  void nativeGrowthDuringAProcesssWarmUpDoesNotFire() throws Exception {
    // the same growth as below, in the first minutes of the process (code cache, metaspace...)
    List<Observation> young = series(Signal.NATIVE, 120, t -> 50 * MB + t * MB / 2, 200 * MB);
    long startMs = Observations.T0_NS / 1_000_000L - 60_000L;
    young.forEach(o -> o.processStartTimeMs = startMs);
    assertThat(run(NativeGrowthRule.NAME, young)).isEmpty();
  }

  @Test
  void nativeGrowthFiresOnlyWhileManagedHeapIsFlat() throws Exception {
    List<Alert> alerts = runNative(
        series(Signal.NATIVE, 120, t -> 50 * MB + t * MB / 2, 200 * MB));
    assertThat(alerts).extracting(Alert::getRule).containsOnly("native-growth");
    assertThat(alerts.get(0).getGrowthBytesPerSecond()).isCloseTo(MB / 2.0, within(0.05 * MB));

    List<Observation> bothGrow = new ArrayList<>();
    for (int t = 0; t <= 300; t += 10) {
      bothGrow.add(of(Signal.NATIVE, t, 50 * MB + t * MB / 2, 200 * MB + t * MB));
    }
    assertThat(runNative(bothGrow)).isEmpty();
    assertThat(runNative(series(Signal.NATIVE, 300, t -> 80 * MB, 200 * MB)))
        .isEmpty();

    // a heap leak at -Xmx: committed flat at the maximum, use climbing, RSS following it
    List<Observation> heapAtMax = new ArrayList<>();
    for (int t = 0; t <= 300; t += 10) {
      Observation o = of(Signal.NATIVE, t, 50 * MB + t * MB / 2, 384 * MB);
      o.usedCompanion = 150 * MB + t * MB;
      heapAtMax.add(o);
    }
    assertThat(runNative(heapAtMax)).isEmpty();

    // a native leak next to a sawtoothing but flat heap still fires
    List<Observation> sawtooth = new ArrayList<>();
    for (int t = 0; t <= 120; t += 10) {
      Observation o = of(Signal.NATIVE, t, 50 * MB + t * MB / 2, 200 * MB);
      o.usedCompanion = (t % 20 == 0 ? 60 : 64) * MB;
      sawtooth.add(o);
    }
    assertThat(runNative(sawtooth)).extracting(Alert::getRule)
        .containsOnly("native-growth");
  }

  /**
   * A C daemon seen outside the corpus: every 270 s it loads a 240 MiB batch in 30 s, works on
   * it for 60 s and frees it. Its second load, after three flat minutes, climbs exactly like a
   * leak starting — but only back to where the first load stood.
   */
  private static double batch(double t) {
    double phase = t % 270;
    return MB + (phase < 30 ? 240 * MB * phase / 30.0 : phase < 90 ? 240 * MB : 0);
  }

  @Test
  void nativeGrowthBackToWhereABatchStoodIsNotAlerted() throws Exception {
    assertThat(runNative(series(Signal.NATIVE, 900, LeakRulesTest::batch, 200 * MB))).isEmpty();
    // without the first load in its history, the second one is alerted as growth
    List<Observation> secondOnly = series(Signal.NATIVE, 900, LeakRulesTest::batch, 200 * MB);
    secondOnly.removeIf(o -> o.utcNs - Observations.T0_NS < 100 * Observations.S);
    assertThat(runNative(secondOnly)).extracting(Alert::getRule).contains("native-growth");
  }

  @Test
  void nativeGrowthAfterAFallIsAlertedOncePastWhereItStood() throws Exception {
    // 200 MiB, a cache dropped to 100 MiB at 60 s, then a leak of 1 MiB/s from 100 s: it passes
    // 200 MiB at 200 s and the rule's thresholds above it (20 MiB: 10 % of 200) at 220 s
    List<Observation> obs = series(Signal.NATIVE, 600,
        t -> t < 60 ? 200 * MB : t < 100 ? 100 * MB : 100 * MB + (t - 100) * MB, 200 * MB);
    List<Alert> alerts = runNative(obs);
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.get(0).getLastSeenUtcNs() - Observations.T0_NS)
        .isBetween(220 * Observations.S, 240 * Observations.S);
  }

  @Test
  void nativeGrowthRightAfterTheHeapCommitsMoreIsNotAlerted() throws Exception {
    // memfleet's own eBPF collector in an eval (a G1 JVM, 6 minutes old): "native" (RSS − the
    // heap's resident estimate) stepped up 7.4 MiB, then 17.4 MiB in the bucket after the heap
    // committed 84 → 131 MiB: its new regions' pages were written beyond the heap's use seen so
    // far. Theil–Sen over 11 points took the heap's step at the end as flat
    double[] nativeMiB = {167.8, 167.8, 167.9, 167.9, 168.0, 175.1, 175.1, 175.4, 176.2, 192.8,
        193.0};
    List<Observation> obs = new ArrayList<>();
    for (int i = 0; i < nativeMiB.length; i++) {
      Observation o = of(Signal.NATIVE, i * 10, nativeMiB[i] * MB, (i < 8 ? 84 : 131) * MB);
      o.usedCompanion = (60 + (i % 3) * 10) * MB;
      obs.add(o);
    }
    assertThat(runNative(obs)).isEmpty();
    // the same native growth beside a heap that stays committed at 131 MiB fires
    obs.forEach(o -> o.companion = 131 * MB);
    assertThat(runNative(obs)).extracting(Alert::getRule).containsOnly("native-growth");
  }

  @Test
  void outstandingGrowthNamesTheStackAndFingerprintsOnItsTopFrame() throws Exception {
    List<Observation> obs = series(Signal.OUTSTANDING, 120, t -> 4 * MB + t * 128 * 1024,
        Double.NaN);
    obs.forEach(o -> {
      o.series = "stack:abc";
      o.stackHash = 0xabc;
      o.stackFrames = "leak_buffer\nhandle_request\nmain";
    });
    List<Alert> alerts = run(OutstandingGrowthRule.NAME, obs);
    assertThat(alerts).isNotEmpty();
    Alert a = alerts.get(0);
    assertThat(a.getTopStack().getFrames()).containsExactly("leak_buffer", "handle_request",
        "main");
    assertThat(a.getFingerprint()).isEqualTo(
        Fingerprints.fingerprint("outstanding-growth", "checkout", "leak_buffer"));

    List<Observation> stable = series(Signal.OUTSTANDING, 600, t -> 64 * MB, Double.NaN);
    stable.forEach(o -> o.series = "stack:def");
    assertThat(run(OutstandingGrowthRule.NAME, stable)).isEmpty();
  }

  /**
   * The alerts of outstanding-growth on a managed process's mapped bytes, growing 1 MiB/s for 5
   * minutes from its third minute on, the latest mapping made from {@code frames}.
   */
  private List<Alert> mappedGrowth(io.memfleet.event.Runtime runtime, String frames)
      throws Exception {
    List<Observation> obs = series(Signal.OUTSTANDING, 300, t -> 70 * MB + t * MB, Double.NaN);
    obs.forEach(o -> {
      o.series = "mmap";
      o.runtime = runtime;
      o.processStartTimeMs = (Observations.T0_NS - 180 * Observations.S) / 1_000_000L;
      o.stackFrames = frames;
    });
    return run(OutstandingGrowthRule.NAME, obs);
  }

  @Test
  void theMappedBytesOfAManagedProcessAreJudgedOnlyWhenTheProgramMapsThem() throws Exception {
    io.memfleet.event.Runtime go = io.memfleet.event.Runtime.GO;
    io.memfleet.event.Runtime jvm = io.memfleet.event.Runtime.JVM;
    assertThat(mappedGrowth(go, "runtime.sysMmap.abi0\nruntime.sysMap\nruntime.(*mheap).grow"))
        .as("the Go heap's arenas are the heap rules' business").isEmpty();
    // the same from a cgo binary (seen: a Go map leak, its program serving pprof, built with
    // the default CGO_ENABLED=1, raised "native memory grows … from strings.Repeat")
    assertThat(mappedGrowth(go, "mmap64\nruntime/cgo(.text)\nruntime.mmap.func1\n"
        + "runtime.mmap\nruntime.sysMapOS\nruntime.sysMap\nruntime.(*mheap).grow\n"
        + "strings.Repeat\nmain.record")).as("a cgo binary's heap arenas").isEmpty();
    // and as cgo's mmap wrapper names it in a binary whose runtime/cgo has symbols (seen: "native
    // memory grows 316.9 KiB/s, from x_cgo_mmap" on a Go program leaking C.CString copies)
    assertThat(mappedGrowth(go, "mmap64\nx_cgo_mmap\nruntime.mmap.func1\nruntime.mmap\n"
        + "runtime.sysAllocOS\nruntime.sysAlloc\nruntime.newArenaMayUnlock"))
        .as("cgo's mmap wrapper for the runtime").isEmpty();
    // C.malloc's large blocks are the program's
    assertThat(OutstandingGrowthRule.programMaps(go, "mmap64\nsysmalloc\n_int_malloc\n"
        + "_cgo_69d6d21e8f1e_Cfunc__Cmalloc\nruntime.systemstack.abi0")).isTrue();
    assertThat(OutstandingGrowthRule.runtimeOwn(go, "mmap64\nmap_ring\n_cgo_1234_Cfunc_map_ring"
        + "\nruntime.asmcgocall.abi0\nmain.mapRing")).as("the program's own C code maps")
        .isFalse();
    List<Alert> goProgram = mappedGrowth(go,
        "runtime/internal/syscall.Syscall6\nsyscall.mmap\nmain.mapSegment\nmain.main");
    assertThat(goProgram).isNotEmpty();
    assertThat(goProgram.get(0).getVerdict()).contains("main.mapSegment");

    assertThat(OutstandingGrowthRule.runtimeOwn(jvm,
        "mmap64\n_ZN2os24pd_commit_memory_or_exitEPcmmbPKc")).isTrue();
    assertThat(OutstandingGrowthRule.runtimeOwn(jvm,
        "mmap64\nJava_sun_nio_ch_FileChannelImpl_map0")).isFalse();
    // a JDK 25 ZGC heap grows by mapping its memfd itself
    assertThat(OutstandingGrowthRule.runtimeOwn(jvm, "mmap64\n"
        + "_ZNK22ZPhysicalMemoryBacking3mapE15zaddress_unsafem15zbacking_offset\n"
        + "_ZN14ZPageAllocator10alloc_pageE9ZPageTypem16ZAllocationFlags8ZPageAge")).isTrue();
    // a C++ JNI library's mapping is the program's
    assertThat(OutstandingGrowthRule.runtimeOwn(jvm, "mmap64\n_ZN7rocksdb12PosixMmapFileC2Ev"))
        .isFalse();
    assertThat(OutstandingGrowthRule.programMaps(jvm,
        "mmap64\nJava_sun_nio_ch_FileChannelImpl_map0")).isTrue();
    // a JVM whose latest mapping was the dynamic loader's (seen in an eval: its glibc arenas
    // grew with leaked direct buffers, and the loader's stack was the newest named one)
    assertThat(OutstandingGrowthRule.programMaps(jvm, "mmap\n_dl_map_object")).isFalse();
    assertThat(mappedGrowth(jvm, "mmap\n_dl_map_object")).as("no program frame in the stack")
        .isEmpty();
    List<Alert> jni = mappedGrowth(jvm, "mmap64\nJava_sun_nio_ch_FileChannelImpl_map0");
    assertThat(jni).isNotEmpty();
    assertThat(jni.get(0).getVerdict()).contains("Java_sun_nio_ch_FileChannelImpl_map0");
  }

  @Test
  void aStackBesideTheHeaviestRetainedClassIsSaidToBeSo() throws Exception {
    // the heaviest retained class was sampled without a stack; the stack is another class's
    Alert a = heapLeakAttributedAs(o -> {
      o.objectClass = "java.util.HashMap$Node[]";
      o.stackFrames = "com.acme.ReportRow.<init>:31\ncom.acme.Exporter.main:54";
      o.stackBesideClass = true;
    });
    assertThat(a.getVerdict()).isEqualTo("heap grows 1.0 MiB/s, most retained class"
        + " java.util.HashMap$Node[] (allocated where no stack was sampled); the most retained"
        + " with a stack from com.acme.ReportRow.<init>:31");
    assertThat(a.getObjectClass()).isEqualTo("java.util.HashMap$Node[]");
  }

  @Test
  void aClassNamedByWhatIsRetainedIsNotCalledTheMostAllocated() throws Exception {
    for (boolean retained : List.of(true, false)) {
      Alert a = heapLeakAttributedAs(o -> {
        o.objectClass = "char[]";
        o.classRetained = retained;
      });
      assertThat(a.getVerdict()).endsWith(retained
          ? ", most retained class char[] (no stack sampled)" : ", most allocated class char[]");
    }
  }

  @Test
  void aClassTheHeapsHistogramsShowGrowingIsNamedAsSuchOverWhatTheRunAllocatedBefore()
      throws Exception {
    // the run's first points named the class the JVM allocates most (no histogram yet); its
    // last, the class the histograms show growing
    List<Observation> obs = confirmed(series(Signal.LIVE_SET, 150, t -> 100 * MB + t * MB,
        512 * MB));
    obs.forEach(o -> o.objectClass = "byte[]");
    int n = 1; // the points up to the first alert
    while (run(LiveSetGrowthRule.NAME, obs.subList(0, n)).isEmpty()) {
      n++;
    }
    for (Observation o : obs.subList(n - 3, n)) {
      o.objectClass = "io.acme.SearchFrontend$QueryTrace";
      o.classGrowing = true;
    }
    Alert a = run(LiveSetGrowthRule.NAME, obs.subList(0, n)).get(0);
    assertThat(a.getObjectClass()).isEqualTo("io.acme.SearchFrontend$QueryTrace");
    assertThat(a.getVerdict()).isEqualTo("heap grows 1.0 MiB/s, growing on the heap: class"
        + " io.acme.SearchFrontend$QueryTrace (class histograms)");
  }

  /** The first alert on a heap leak of 1 MiB/s whose observations {@code attribution} names. */
  private static Alert heapLeakAttributedAs(java.util.function.Consumer<Observation> attribution)
      throws Exception {
    List<Observation> obs = confirmed(series(Signal.LIVE_SET, 150, t -> 100 * MB + t * MB,
        512 * MB));
    obs.forEach(attribution);
    List<Alert> alerts = run(LiveSetGrowthRule.NAME, obs);
    assertThat(alerts).isNotEmpty();
    return alerts.get(0);
  }

  @Test
  void aHeapNamedOnlyByPageFaultsSaysItsPagesWereFirstTouchedThereNotThatTheyComeFromThere()
      throws Exception {
    // a C server's malloc heap (the break) grows 1 MiB/s; without the allocator probes only the
    // page faults name a stack, and the code that wrote new heap pages first need not be the code
    // that keeps them
    for (boolean byFaults : List.of(true, false)) {
      List<Observation> obs = series(Signal.OUTSTANDING, 300, t -> 70 * MB + t * MB, Double.NaN);
      obs.forEach(o -> {
        o.series = "mmap";
        o.runtime = io.memfleet.event.Runtime.NATIVE;
        o.processStartTimeMs = (Observations.T0_NS - 180 * Observations.S) / 1_000_000L;
        o.poolHint = io.memfleet.event.MemoryPool.MALLOC;
        o.stackFrames = "memset\nparse_request\nmain";
        o.firstTouch = byFaults;
      });
      List<Alert> alerts = run(OutstandingGrowthRule.NAME, obs);
      assertThat(alerts).isNotEmpty();
      assertThat(alerts.get(0).getVerdict()).endsWith(byFaults
          ? ", new pages first touched in parse_request" : ", from parse_request");
    }
  }

  /** A Go program's observations, the program started at the first. */
  private static List<Observation> goFromStart(List<Observation> obs) {
    obs.forEach(o -> {
      o.runtime = io.memfleet.event.Runtime.GO;
      o.processStartTimeMs = Observations.T0_NS / 1_000_000L;
    });
    return obs;
  }

  @Test
  void aGoProgramWithoutRuntimeMetricsIsJudgedOnItsResidentSetAfterItsFirstMinutesAndSaysSo()
      throws Exception {
    // a cgo program leaking C.CString copies, 1 MiB/s from its start, serving no metrics: its
    // resident set is the only evidence, judged after the Go runtime's first minutes
    List<Observation> obs = series(Signal.NATIVE, 480, t -> 10 * MB + t * MB, 0);
    goFromStart(obs);
    List<Alert> alerts = run(NativeGrowthRule.NAME, obs);
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.get(0).getLastSeenUtcNs() - Observations.T0_NS)
        .isBetween(300_000_000_000L, 400_000_000_000L);
    assertThat(alerts.get(0).getVerdict()).contains(NativeGrowthRule.GO_WITHOUT_METRICS);
    // a cache full at 107 s whose program's resident set climbs to the heap goal after it, flat
    // from 4 min on: nothing
    List<Observation> cache = series(Signal.NATIVE, 600,
        t -> t <= 107 ? 10 * MB + t * 2.3 * MB : 254 * MB + Math.min(t - 107, 110) * 0.5 * MB, 0);
    goFromStart(cache);
    assertThat(run(NativeGrowthRule.NAME, cache)).isEmpty();
    // with its metrics (companion: the Go heap's committed bytes) the verdict says nothing of it
    obs.forEach(o -> o.companion = 40 * MB);
    List<Alert> withMetrics = run(NativeGrowthRule.NAME, obs);
    assertThat(withMetrics).isNotEmpty();
    assertThat(withMetrics.get(0).getVerdict()).doesNotContain("without runtime metrics");
  }

  @Test
  void aCgoAllocationIsNamedAsCMallocAndTheVerdictSaysWhereToLook() throws Exception {
    List<Observation> obs = series(Signal.NATIVE, 420, t -> 10 * MB + t * MB, 0);
    goFromStart(obs).forEach(o -> o.stackFrames =
        "sysmalloc\n_cgo_69d6d21e8f1e_Cfunc__Cmalloc\nruntime.systemstack.abi0");
    List<Alert> alerts = run(NativeGrowthRule.NAME, obs);
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.get(0).getVerdict()).contains("from C.malloc (cgo)")
        .endsWith(AlertCandidates.CGO_CALLER);
  }

  @Test
  void aStackWithoutANamedFrameIsSaidToBeOneNotNamedAsTheCode() throws Exception {
    // seen: a C log collector growing one buffer by realloc, its mappings (glibc maps large
    // blocks) stacked as three [unknown] frames: "from [unknown]" named nothing
    List<Observation> obs = series(Signal.OUTSTANDING, 300, t -> 70 * MB + t * MB, Double.NaN);
    obs.forEach(o -> {
      o.series = "mmap";
      o.runtime = io.memfleet.event.Runtime.NATIVE;
      o.processStartTimeMs = (Observations.T0_NS - 180 * Observations.S) / 1_000_000L;
      o.stackFrames = "[unknown]\n[unknown]\n[unknown]";
      o.companion = 100 * MB + (o.value - 70 * MB);
    });
    List<Alert> alerts = run(OutstandingGrowthRule.NAME, obs);
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.get(0).getVerdict()).doesNotContain("from [unknown]")
        .endsWith(AlertCandidates.NAMELESS_STACK);
  }

  @Test
  void mappedBytesCountOnlyWhileTheResidentSetGrowsWithThem() throws Exception {
    // a native server whose allocator keeps its address space (jemalloc): mapped bytes grow
    // 13 MiB/s for 5 minutes while its resident set stays at 160 MiB; then a real mapping leak
    for (boolean resident : List.of(false, true)) {
      List<Observation> obs = series(Signal.OUTSTANDING, 300, t -> 3000 * MB + t * 13 * MB,
          Double.NaN);
      for (int i = 0; i < obs.size(); i++) {
        Observation o = obs.get(i);
        o.series = "mmap";
        o.processStartTimeMs = (Observations.T0_NS - 600 * Observations.S) / 1_000_000L;
        o.stackFrames = "mmap64\nextent_alloc\nmain";
        o.companion = 160 * MB + (resident ? (o.value - obs.get(0).value) * 0.8 : i * 1024);
      }
      List<Alert> alerts = run(OutstandingGrowthRule.NAME, obs);
      if (resident) {
        assertThat(alerts).as("mapped and resident grow together").isNotEmpty();
      } else {
        assertThat(alerts).as("address space, not memory").isEmpty();
      }
    }
  }

  @Test
  void oomImminentForecastsTimeToLimitOnceSeenRisingAsLongAsItHasLeft() throws Exception {
    double limit = 256 * MB;
    List<Alert> alerts = run(OomImminentRule.NAME,
        series(Signal.CGROUP_MEMORY, 60, t -> 150 * MB + t * MB, limit));
    assertThat(alerts).isNotEmpty();
    Alert a = alerts.get(0);
    // at 50 s: 200 MiB (below 80%), 56 MiB to go at 1 MiB/s, seen rising for 50 s; at 60 s,
    // 46 s to go and seen rising for 60 s
    assertThat(a.getTimeToOomSeconds()).isCloseTo(46, within(4.0));
    assertThat(a.getLastSeenUtcNs() - Observations.T0_NS).isEqualTo(60_000_000_000L);
    assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
    assertThat(a.getForecastOomUtcNs() - a.getLastSeenUtcNs())
        .isCloseTo((long) (a.getTimeToOomSeconds() * 1e9), within(1_000_000L));
    assertThat(a.getPool()).isNull();
    assertThat(a.getVerdict()).contains("of 256.0 MiB limit").endsWith("OOM-kill in about 46 s");
  }

  @Test
  void oomImminentNamesThePoolThatFillsTheLimitFromItsHistoryNotTwoEndPoints() throws Exception {
    double limit = 128 * MB;
    // a Go program racing to its limit, its heap's footprint scraped every 4 s (a scrape behind
    // in between), the cgroup dipping once at 20 s (the runtime gave pages back): the rising
    // suffix is three buckets with the heap a scrape behind at the last but one
    List<Observation> goHeap = new ArrayList<>();
    for (int t = 0; t <= 24; t += 2) {
      Observation o = of(Signal.CGROUP_MEMORY, t, t == 20 ? 95 * MB : 40 * MB + t * 4 * MB,
          limit);
      o.usedCompanion = 30 * MB + (t - t % 4) * 3.6 * MB;
      o.usedCompanionUtcNs = o.utcNs - (t % 4) * 1_000_000_000L;
      o.runtime = io.memfleet.event.Runtime.GO;
      goHeap.add(o);
    }
    assertThat(rule(OomImminentRule.NAME).pool(goHeap)).isEqualTo(MemoryPool.HEAP);

    // a JVM whose heap stays at its committed size while native memory fills the cgroup
    List<Observation> nativeFill = new ArrayList<>();
    for (int t = 0; t <= 24; t += 2) {
      Observation o = of(Signal.CGROUP_MEMORY, t, 40 * MB + t * 4 * MB, limit);
      o.usedCompanion = (t % 4 == 0 ? 30 : 31) * MB;
      o.usedCompanionUtcNs = o.utcNs;
      nativeFill.add(o);
    }
    assertThat(rule(OomImminentRule.NAME).pool(nativeFill)).isEqualTo(MemoryPool.NATIVE);
    // one heap figure only (the rest arrived too late): the pool that holds most of the memory
    List<Observation> oneFigure = new ArrayList<>(nativeFill);
    oneFigure.forEach(o -> o.usedCompanion = Double.NaN);
    oneFigure.get(oneFigure.size() - 1).usedCompanion =
        oneFigure.get(oneFigure.size() - 1).value * 0.8;
    assertThat(rule(OomImminentRule.NAME).pool(oneFigure)).isEqualTo(MemoryPool.HEAP);
  }

  @Test
  void oomImminentCountsAHeapFigureCarriedIntoLaterBucketsOnceAtItsOwnTime() throws Exception {
    // a Go heap racing to its limit; its scrapes stalled after the one at 2 s (the figure rode
    // on every bucket up to 18 s), then came every 2 s: a flat heap by the buckets' times,
    // growing as fast as the cgroup by its own
    List<Observation> race = goRace(22);
    for (Observation o : race) {
      long t = (o.utcNs - Observations.T0_NS) / Observations.S;
      long heapAt = t == 0 ? -1 : t < 20 ? 2 : t;
      if (heapAt >= 0) {
        o.usedCompanion = 30 * MB + heapAt * 3.8 * MB;
        o.usedCompanionUtcNs = o.utcNs - (t - heapAt) * Observations.S;
      }
    }
    assertThat(rule(OomImminentRule.NAME).pool(race)).isEqualTo(MemoryPool.HEAP);
  }

  @Test
  void oomImminentNamesWhatTheHeapRetainsOnlyWhenTheHeapFillsTheCgroup() throws Exception {
    // the heap profile's heaviest stack rides on the cgroup's observations
    java.util.function.Consumer<Observation> profiled = o -> {
      o.stackFrames = "main.(*Batch).Add\nmain.(*uploader).retry";
      o.stackHash = 7;
    };
    List<Observation> race = goRace(26);
    for (Observation o : race) {
      o.usedCompanion = o.value - 10 * MB; // the heap grows as fast as the cgroup
      o.usedCompanionUtcNs = o.utcNs;
      profiled.accept(o);
    }
    List<Alert> heap = run(OomImminentRule.NAME, race);
    assertThat(heap).isNotEmpty().allSatisfy(a -> {
      assertThat(a.getPool()).isEqualTo(MemoryPool.HEAP);
      assertThat(a.getTopStack().getFrames()).first().isEqualTo("main.(*Batch).Add");
      assertThat(a.getVerdict()).endsWith(", from main.(*Batch).Add");
    });
    // the heap flat while native memory fills the cgroup: what the heap holds is not the culprit
    List<Observation> nativeFill = goRace(26);
    for (Observation o : nativeFill) {
      o.usedCompanion = 30 * MB;
      o.usedCompanionUtcNs = o.utcNs;
      profiled.accept(o);
    }
    List<Alert> other = run(OomImminentRule.NAME, nativeFill);
    assertThat(other).isNotEmpty().allSatisfy(a -> {
      assertThat(a.getPool()).isEqualTo(MemoryPool.NATIVE);
      assertThat(a.getTopStack()).isNull();
      assertThat(a.getVerdict()).doesNotContain("Batch");
    });
  }

  @Test
  void goHeapGrowthTowardsGomemlimitWaitsLikeAnyGrowthFromStart() throws Exception {
    // GOMEMLIMIT=200MiB (a soft limit); from the process's start a cache fills at 1.5 MiB/s to
    // 150 MiB and stays: "limit in 28 s" at 157 MiB is no reason to cut the wait
    double limit = 200 * MB;
    List<Observation> cache = series(Signal.GO_LIVE_HEAP, 400,
        t -> 10 * MB + Math.min(t, 95) * 1.5 * MB, limit);
    cache.forEach(o -> o.processStartTimeMs = Observations.T0_NS / 1_000_000L);
    assertThat(run(GoHeapGrowthRule.NAME, cache)).isEmpty();
    // the same rise going on is a leak, found once it outlasts the from-start window
    List<Observation> leak = series(Signal.GO_LIVE_HEAP, 400, t -> 10 * MB + t * 0.5 * MB,
        limit);
    leak.forEach(o -> o.processStartTimeMs = Observations.T0_NS / 1_000_000L);
    List<Alert> alerts = run(GoHeapGrowthRule.NAME, leak);
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.get(0).getLastSeenUtcNs() - Observations.T0_NS)
        .isGreaterThanOrEqualTo(180_000_000_000L);
    assertThat(alerts.get(0).getTimeToOomSeconds()).isNotNull(); // still forecast, as a warning
  }

  /** A Go program's cgroup racing to its 128 MiB limit, 4 MiB/s from 40 MiB, every 2 s. */
  private static List<Observation> goRace(int seconds) {
    List<Observation> race = new ArrayList<>();
    for (int t = 0; t <= seconds; t += 2) {
      Observation o = of(Signal.CGROUP_MEMORY, t, 40 * MB + t * 4 * MB, 128 * MB);
      o.runtime = io.memfleet.event.Runtime.GO;
      race.add(o);
    }
    return race;
  }

  @Test
  void oomImminentForecastsAProcessRacingToItsLimitBeforeItIsKilled() throws Exception {
    // 4 MiB/s into 128 MiB: killed at about 30 s
    List<Alert> alerts = run(OomImminentRule.NAME,
        series(Signal.CGROUP_MEMORY, 30, t -> 8 * MB + t * 4 * MB, 128 * MB));
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.get(0).getLastSeenUtcNs() - Observations.T0_NS)
        .isLessThanOrEqualTo(20_000_000_000L);
    assertThat(alerts.get(0).getForecastOomUtcNs() - Observations.T0_NS)
        .isBetween(25_000_000_000L, 35_000_000_000L);
  }

  @Test
  void oomImminentReportsThePoolAtOnceWhenItsHeapFiguresArriveLate() throws Exception {
    // a Go program racing to 128 MiB; its heap figures reach the pipeline only from 16 s on
    List<Observation> race = goRace(26);
    for (Observation o : race) {
      long t = (o.utcNs - Observations.T0_NS) / Observations.S;
      o.usedCompanion = t < 16 ? Double.NaN : 30 * MB + t * 3.6 * MB;
      o.usedCompanionUtcNs = o.utcNs;
    }
    List<Alert> alerts = run(OomImminentRule.NAME, race);
    assertThat(alerts).extracting(Alert::getPool).startsWith((MemoryPool) null)
        .contains(MemoryPool.HEAP);
    Alert named = alerts.stream().filter(a -> a.getPool() == MemoryPool.HEAP).findFirst()
        .orElseThrow();
    // at the first figure, not 30 s after the first report
    assertThat(named.getLastSeenUtcNs() - Observations.T0_NS).isEqualTo(16_000_000_000L);
  }

  @Test
  void oomImminentLeavesAHeapThatStopsAtItsOwnMaximumShortOfTheLimit() throws Exception {
    double limit = 256 * MB;
    // a Go heap under GOMEMLIMIT=230MiB filling at 8 MiB/s to 220 MiB, 10 MiB of the rest
    // beside it (the heap's figure scraped a second behind): the cgroup races to 90 % and stops
    java.util.function.Function<Double, List<Observation>> softLimit = heapMax -> {
      List<Observation> fill = new ArrayList<>();
      for (int t = 0; t <= 40; t += 2) {
        double heap = Math.min(20 + t * 8, 220) * MB;
        Observation o = of(Signal.CGROUP_MEMORY, t, heap + 10 * MB, limit);
        o.usedCompanion = Math.min(20 + (t - 1) * 8, 220) * MB;
        o.usedCompanionUtcNs = o.utcNs - Observations.S;
        o.heapMax = heapMax;
        o.runtime = io.memfleet.event.Runtime.GO;
        fill.add(o);
      }
      return fill;
    };
    assertThat(run(OomImminentRule.NAME, softLimit.apply(230.0 * MB))).isEmpty();
    // no maximum known, or one the heap and the rest do not fit under: forecast as before
    assertThat(run(OomImminentRule.NAME, softLimit.apply(Double.NaN))).isNotEmpty();
    assertThat(run(OomImminentRule.NAME, softLimit.apply(250.0 * MB))).isNotEmpty();
    // a heap past its soft limit (its live heap no longer fits under GOMEMLIMIT) grows on
    assertThat(run(OomImminentRule.NAME, softLimit.apply(150.0 * MB))).isNotEmpty();
    // the rest grows while the heap sits below its maximum: once the rest and the whole heap no
    // longer fit, the forecast comes
    List<Observation> restGrows = new ArrayList<>();
    for (int t = 0; t <= 60; t += 2) {
      Observation o = of(Signal.CGROUP_MEMORY, t, 150 * MB + t * 1.5 * MB, limit);
      o.usedCompanion = 100 * MB;
      o.usedCompanionUtcNs = o.utcNs;
      o.heapMax = 128 * MB;
      restGrows.add(o);
    }
    List<Alert> alerts = run(OomImminentRule.NAME, restGrows);
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.get(0).getPool()).isEqualTo(MemoryPool.NATIVE);
  }

  @Test
  void oomImminentIgnoresHighButFlatLowAndLevellingOff() throws Exception {
    double limit = 256 * MB;
    assertThat(run(OomImminentRule.NAME, series(Signal.CGROUP_MEMORY, 300, t -> 0.9 * limit,
        limit))).isEmpty();
    // far from the limit: a long way to extrapolate
    assertThat(run(OomImminentRule.NAME, series(Signal.CGROUP_MEMORY, 100,
        t -> 40 * MB + t * 0.2 * MB, limit))).isEmpty();
    // a start-up that levels off at 60% of the limit
    assertThat(run(OomImminentRule.NAME, series(Signal.CGROUP_MEMORY, 300,
        t -> 60 * MB + Math.min(t, 30) * 3 * MB, limit))).isEmpty();
  }

  @Test
  void poolRulesReadTheirOwnPoolAndNameIt() throws Exception {
    List<Observation> metaspace = series(Signal.POOL, 200, t -> 40 * MB + t * MB / 2,
        Double.NaN);
    metaspace.forEach(o -> {
      o.series = "METASPACE";
      o.processStartTimeMs -= 3_600_000L;
    });
    List<Alert> alerts = run(PoolGrowthRule.METASPACE, metaspace);
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.get(0).getPool()).isEqualTo(io.memfleet.event.MemoryPool.METASPACE);
    assertThat(alerts.get(0).getVerdict()).startsWith("metaspace grows 51");
    // JFR's class defines name the code that defines the classes that stay
    metaspace.forEach(o -> o.stackFrames = "java.lang.ClassLoader.defineClass:1017\n"
        + "app.PluginLoader.loadClass:52\napp.PluginRegistry.reload:80");
    assertThat(run(PoolGrowthRule.METASPACE, metaspace).get(0).getVerdict())
        .endsWith(", " + AlertCandidates.DEFINED_FROM + "app.PluginLoader.loadClass:52");
    metaspace.forEach(o -> o.stackFrames = null);
    // the same series is no direct buffer or shmem growth
    assertThat(rule(PoolGrowthRule.DIRECT_BUFFERS).accepts(metaspace.get(0))).isFalse();
    assertThat(rule(PoolGrowthRule.SHMEM).accepts(metaspace.get(0))).isFalse();
    metaspace.forEach(o -> o.series = "SHMEM");
    assertThat(run(PoolGrowthRule.SHMEM, metaspace).get(0).getPool())
        .isEqualTo(io.memfleet.event.MemoryPool.SHMEM);
  }

  @Test
  void aThreadLeakFiresAndAPoolGrowingToItsSizeDoesNot() throws Exception {
    List<Observation> leak = series(Signal.THREADS, 300, t -> 40 + 5 * t, Double.NaN);
    leak.forEach(o -> {
      o.series = "java";
      o.processStartTimeMs -= 3_600_000L;
    });
    List<Alert> alerts = run(ThreadLeakRule.NAME, leak);
    assertThat(alerts).isNotEmpty();
    assertThat(alerts.get(0).getPool()).isEqualTo(io.memfleet.event.MemoryPool.THREAD_STACKS);
    assertThat(alerts.get(0).getVerdict()).startsWith("threads grow 5.0");
    // JFR's thread starts name the code that starts the threads that stay
    leak.forEach(o -> o.stackFrames = "app.Scheduler.startJob:75\napp.Scheduler.main:40");
    assertThat(run(ThreadLeakRule.NAME, leak).get(0).getVerdict())
        .endsWith(", started from app.Scheduler.startJob:75");
    List<Observation> pool = series(Signal.THREADS, 600, t -> 40 + 2 * Math.min(t, 80),
        Double.NaN);
    pool.forEach(o -> o.processStartTimeMs -= 3_600_000L);
    assertThat(run(ThreadLeakRule.NAME, pool)).isEmpty();
  }

  @Test
  void gcThrashingNeedsBothGcTimeAndAFullHeap() throws Exception {
    assertThat(run(GcThrashingRule.NAME, series(Signal.GC_LOAD, 50, t -> 0.5, 0.96)))
        .extracting(Alert::getRule).contains("gc-thrashing");
    // GC-heavy allocation churn with a roomy heap: not thrashing
    assertThat(run(GcThrashingRule.NAME, series(Signal.GC_LOAD, 300, t -> 0.5, 0.4))).isEmpty();
    // full heap, little GC
    assertThat(run(GcThrashingRule.NAME, series(Signal.GC_LOAD, 300, t -> 0.05, 0.97)))
        .isEmpty();
  }

  @Test
  void ongoingLeakMatchesAgainAfterEachFreshRun() throws Exception {
    List<Alert> alerts = run(LiveSetGrowthRule.NAME,
        confirmed(series(Signal.LIVE_SET, 400, t -> 100 * MB + t * MB, 1024 * MB)));
    assertThat(alerts.size()).isGreaterThanOrEqualTo(4);
    assertThat(alerts).extracting(Alert::getFingerprint).containsOnly(alerts.get(0)
        .getFingerprint());
  }

  @Test
  void runStateIsBoundedByWithinAndGoneWhenTheSeriesIdles() throws Exception {
    try (RuleHarness h = new RuleHarness(rule(GoHeapGrowthRule.NAME))) {
      h.h.setProcessingTime(0);
      // rising, but not enough growth: each run is judged once and dropped
      List<Observation> rising = series(Signal.GO_LIVE_HEAP, 200, t -> 100 * MB + t * 1024,
          512 * MB);
      h.feed(rising);
      assertThat(h.runs(rising.get(0))).hasSizeLessThan(rising.size());
      // one observation 11 min later: every run before it is past `within`
      Observation late = of(Signal.GO_LIVE_HEAP, 200 + 11 * 60, 90 * MB, 512 * MB);
      h.feed(List.of(late));
      assertThat(h.runs(late)).hasSize(1);
      // no observation for the idle timeout (10 min of processing time): forgotten
      h.h.setProcessingTime(10 * 60_000L);
      assertThat(h.alerts()).isEmpty();
      assertThat(h.h.numProcessingTimeTimers()).isZero();
      assertThat(h.h.numKeyedStateEntries()).as("keyed state after the idle timeout").isZero();
    }
  }
}
