package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.Evidence;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.StackTrace;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.alert.Fingerprints;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Alert candidates from a rule's findings: an accepted run ({@link LeakRule#assess}) becomes an
 * {@link Alert} with the process identity, first/last seen, evidence (thinned to at most
 * {@code evidenceMax}, first and last kept), growth, forecast, top stack or object class and
 * fingerprint. Its status is UNKNOWN and its id empty: the alert manager decides FIRING or
 * UPDATED and assigns the id. Used by {@link RunRuleFunction} and {@link TrailingRuleFunction}.
 */
public final class AlertCandidates {
  private AlertCandidates() {}

  /** The alert candidate for an accepted run. */
  public static Alert toAlert(LeakRule rule, Finding f, List<Observation> run, int evidenceMax) {
    return toAlert(rule, f, run, evidenceMax, rule.pool(run));
  }

  /** {@link #toAlert(LeakRule, Finding, List, int)} with the pool already judged. */
  static Alert toAlert(LeakRule rule, Finding f, List<Observation> run, int evidenceMax,
      MemoryPool pool) {
    return toAlert(rule, f, run, evidenceMax, pool, run.get(run.size() - 1));
  }

  /**
   * The alert, with the process's identity taken from {@code newest}: the series' newest
   * observation, which a trailing rule's evidence may end before.
   */
  static Alert toAlert(LeakRule rule, Finding f, List<Observation> run, int evidenceMax,
      MemoryPool pool, Observation newest) {
    Observation first = run.get(0);
    Observation last = run.get(run.size() - 1);
    boolean named = rule.namesCodeOf(pool);
    StackTrace stack = null;
    if (last.stackFrames != null && named) {
      stack = StackTrace.newBuilder().setHash(last.stackHash)
          .setFrames(Arrays.asList(last.stackFrames.split("\n", -1))).setTruncated(false).build();
    }
    // a class the heap's histograms show growing is what the heap holds more of now; the run's
    // earlier points named what it allocates most, before a histogram was taken
    String objectClass = !named ? null
        : last.classGrowing ? last.objectClass : commonestClass(run);
    String culprit = stack != null ? Culprits.frame(stack.getFrames())
        : objectClass != null ? objectClass : "mmap".equals(last.series) ? "mmap" : null;
    String who = newest.service != null ? newest.service : newest.comm;
    Long forecast = f.timeToOomSeconds == null ? null
        : last.utcNs + (long) Math.min(f.timeToOomSeconds * 1e9, Long.MAX_VALUE / 4.0);
    return Alert.newBuilder()
        .setAlertId("")
        .setFingerprint(Fingerprints.fingerprint(rule.name(), who, culprit))
        .setRule(rule.name())
        .setSeverity(f.severity)
        .setStatus(AlertStatus.UNKNOWN)
        .setProcess(newest.identity())
        .setFirstSeenUtcNs(first.utcNs)
        .setLastSeenUtcNs(last.utcNs)
        .setGrowthBytesPerSecond(f.growthBytesPerSecond)
        .setTimeToOomSeconds(f.timeToOomSeconds)
        .setForecastOomUtcNs(forecast)
        .setSummary(f.summary)
        .setTopStack(stack)
        .setObjectClass(objectClass)
        .setEvidence(evidence(rule, run, evidenceMax))
        .setPool(pool)
        .setVerdict(verdict(f, last, stack, objectClass))
        .build();
  }

  /** What a thread leak's verdict says before the code that starts the threads that stay. */
  public static final String STARTED_FROM = "started from ";
  /** After a culprit that is the allocator itself: the stack lost the program's frames. */
  static final String CALLER_LOST = " (the stack ends there: the program's caller was not"
      + " unwound — eBPF follows frame pointers; build it with -fno-omit-frame-pointer to name"
      + " its code)";

  /** After cgo's C.malloc as the culprit ({@link Culprits#cgoAllocation}). */
  static final String CGO_CALLER = " (C memory taken by Go code through cgo — C.CString, C.CBytes"
      + " or C.malloc; the Go caller runs on its goroutine's stack, which the unwinder does not"
      + " reach from C: look for the copy that is never given to C.free)";

  /** Instead of a culprit when the stack has no named frame at all ({@link Culprits#nameless}). */
  static final String NAMELESS_STACK = " (its stacks name no function: the frames could not be"
      + " symbolized — a stripped binary, or code the unwinder cannot read)";

  /** What a metaspace verdict says before the code that defines the classes that stay. */
  public static final String DEFINED_FROM = "classes defined from ";

  /** What a verdict says before a function named only by the pages it touched first. */
  public static final String FIRST_TOUCHED_IN = "new pages first touched in ";

  /**
   * The finding's verdict, with where in the code when a source saw it: "from" the code that
   * holds the memory, "parked in" for goroutines, "started from" for Java threads, "classes
   * defined from" for metaspace, and "new pages first touched in" when only page faults named it
   * (no allocator probes): the code that wrote the new pages first, which need not be the code
   * that keeps them.
   */
  static String verdict(Finding f, Observation last, StackTrace stack, String objectClass) {
    String v = f.verdict != null ? f.verdict : f.summary;
    if (stack != null && !stack.getFrames().isEmpty() && Culprits.nameless(stack.getFrames())
        && !last.stackBesideClass) {
      return v + NAMELESS_STACK;
    }
    if (stack != null && !stack.getFrames().isEmpty()) {
      String where = last.signal == io.memfleet.pipeline.detect.Signal.GOROUTINES ? "parked in "
          : last.signal == io.memfleet.pipeline.detect.Signal.THREADS ? STARTED_FROM
          : last.signal == io.memfleet.pipeline.detect.Signal.POOL
              && io.memfleet.event.MemoryPool.METASPACE.name().equals(last.series) ? DEFINED_FROM
          : last.firstTouch ? FIRST_TOUCHED_IN : "from ";
      if (last.stackBesideClass && last.objectClass != null) {
        return v + ", most retained class " + last.objectClass + " (allocated where no stack was"
            + " sampled); the most retained with a stack " + where
            + Culprits.frame(stack.getFrames());
      }
      return v + ", " + where + Culprits.frame(stack.getFrames())
          + (Culprits.callerLost(stack.getFrames()) ? CALLER_LOST
              : Culprits.cgoAllocation(stack.getFrames()) ? CGO_CALLER : "");
    }
    if (objectClass != null) {
      boolean same = objectClass.equals(last.objectClass);
      if (same && last.classGrowing) {
        return v + ", growing on the heap: class " + objectClass + " (class histograms)";
      }
      boolean retained = last.classRetained && same;
      return v + (retained ? ", most retained class " + objectClass + " (no stack sampled)"
          : ", most allocated class " + objectClass);
    }
    return v;
  }

  private static List<Evidence> evidence(LeakRule rule, List<Observation> run, int max) {
    List<Evidence> out = new ArrayList<>();
    int n = run.size();
    int take = Math.min(n, max);
    int previous = -1;
    for (int i = 0; i < take; i++) {
      int idx = take == 1 ? 0 : (int) Math.round(i * (n - 1.0) / (take - 1));
      if (idx == previous) {
        continue;
      }
      previous = idx;
      Observation o = run.get(idx);
      out.add(Evidence.newBuilder().setUtcNs(o.utcNs).setKind(rule.evidenceKind(o))
          .setValue(o.value).setUnit(rule.evidenceUnit()).setDescription(rule.describe(o))
          .build());
    }
    return out;
  }

  private static String commonestClass(List<Observation> run) {
    Map<String, Integer> counts = new HashMap<>();
    String best = null;
    for (Observation o : run) {
      if (o.objectClass != null) {
        int c = counts.merge(o.objectClass, 1, Integer::sum);
        if (best == null || c > counts.get(best)) {
          best = o.objectClass;
        }
      }
    }
    return best;
  }
}
