package io.memfleet.launcher;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.OomSnapshot;
import io.memfleet.pipeline.detect.rules.AlertCandidates;
import io.memfleet.pipeline.detect.rules.Culprits;
import io.memfleet.scenarios.Pool;
import io.memfleet.scenarios.Scenario;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Scores what memfleet raised for corpus scenarios against their labels: per scenario the rules
 * that fired, whether the required ones did, with the right pool and the culprit named, how long
 * after the start the first alert came, false positives, and for scenarios that hit a limit the
 * forecast against the real end; then recall, precision, right-pool rate and times to alert.
 *
 * <p>An alert belongs to a scenario by the service its process declared
 * ({@code MEMFLEET_SERVICE=<scenario id>}). Only FIRING messages count as raising a rule. The
 * time to first alert counts from the start of the leak (the process start plus the label's
 * {@code leak-starts-after}); an alert before a late leak starts is a false positive.
 * Precision counts (scenario, rule) pairs: required or allowed ones are true, others false.
 */
final class EvalReport {
  /** What one scenario produced in a run. */
  record Outcome(Scenario scenario, long startedEpochMs, long endedEpochMs,
      List<Received> alerts, List<OomSnapshot> snapshots) {}

  /** An alert as received, with the local time it arrived. */
  record Received(Alert alert, long receivedEpochMs) {}

  /**
   * One scored row. {@code forecastErrorShare}: the first forecast's miss over its lead, signed
   * (below 0 it said the end would come earlier than it did).
   */
  record Row(Scenario scenario, Set<String> fired, boolean found, Boolean poolRight,
      Boolean culpritNamed, Double firstAlertSeconds, Set<String> falsePositives,
      Double forecastLeadSeconds, Double forecastErrorShare, String verdict,
      java.util.Map<String, String> falseVerdicts) {

    boolean passed() {
      return found && falsePositives.isEmpty();
    }
  }

  private final List<Row> rows = new ArrayList<>();
  /** FIRING alerts on processes outside the corpus, one line per process and rule. */
  private final java.util.Map<String, String> outside = new java.util.LinkedHashMap<>();

  /**
   * An alert on a process that is no scenario of the run — the stack's own servers, anything
   * else on the host: not scored, but printed, since a user would get it too.
   */
  void outside(Alert a) {
    if (a.getStatus() != AlertStatus.FIRING) {
      return;
    }
    var p = a.getProcess();
    String who = (p.getService() == null || p.getService().isEmpty() ? p.getComm()
        : p.getService()) + " (pid " + p.getPid() + ")";
    outside.putIfAbsent(who + " " + a.getRule(), who + ": " + a.getRule() + " — "
        + a.getSummary());
  }

  /** The lines {@link #outside} collected. */
  List<String> outsideLines() {
    return List.copyOf(outside.values());
  }

  void add(Outcome o) {
    Scenario s = o.scenario();
    List<Alert> firing = o.alerts().stream().map(Received::alert)
        .filter(a -> a.getStatus() == AlertStatus.FIRING).toList();
    Set<String> fired = new TreeSet<>();
    firing.forEach(a -> fired.add(a.getRule()));
    boolean found = !s.isNegative() && s.satisfiedBy(fired);
    Set<String> accepted = new LinkedHashSet<>();
    s.acceptedRules().forEach(r -> accepted.add(r.id()));
    List<Alert> expected = firing.stream().filter(a -> accepted.contains(a.getRule())).toList();
    // the pool an alert names while it is open: a FIRING alert may leave it open (its figures
    // come from another source than the rule's, and may arrive later) and an UPDATED one name it
    Boolean poolRight = s.isNegative() || expected.isEmpty() ? null
        : o.alerts().stream().map(Received::alert)
            .filter(a -> accepted.contains(a.getRule()) && a.getStatus() != AlertStatus.RESOLVED)
            .anyMatch(a -> poolMatches(s.expectPool(), a.getPool()));
    Boolean culprit = s.expectCulprit().isEmpty() || expected.isEmpty() ? null
        : o.alerts().stream().map(Received::alert)
            .filter(a -> accepted.contains(a.getRule()))
            .anyMatch(a -> names(a, s.expectCulprit().get()));
    // a leak that starts in a running service is timed from its start; an alert before it is
    // a false alarm on the healthy service it was until then
    long leakStartMs = o.startedEpochMs() + s.leakStartsAfter().toMillis();
    Set<String> early = new TreeSet<>();
    o.alerts().stream().filter(r -> r.alert().getStatus() == AlertStatus.FIRING
            && r.receivedEpochMs() < leakStartMs && !s.leakStartsAfter().isZero())
        .forEach(r -> early.add("early:" + r.alert().getRule()));
    Double first = o.alerts().stream()
        .filter(r -> r.alert().getStatus() == AlertStatus.FIRING
            && accepted.contains(r.alert().getRule()) && r.receivedEpochMs() >= leakStartMs)
        .map(r -> (r.receivedEpochMs() - leakStartMs) / 1e3)
        .min(Double::compare).orElse(null);
    Double lead = null;
    Double error = null;
    if (s.expectOom()) {
      long killMs = o.snapshots().stream().mapToLong(x -> diedAtMs(x, o.endedEpochMs()))
          .min().orElse(o.endedEpochMs());
      Alert forecast = o.alerts().stream().map(Received::alert)
          .filter(a -> a.getForecastOomUtcNs() != null && killMs > 0
              && a.getLastSeenUtcNs() / 1_000_000L < killMs)
          .min(Comparator.comparingLong(Alert::getLastSeenUtcNs)).orElse(null);
      if (forecast != null) {
        double madeMs = forecast.getLastSeenUtcNs() / 1e6;
        lead = (killMs - madeMs) / 1e3;
        // signed: below 0 the forecast said earlier than the kill came
        error = (forecast.getForecastOomUtcNs() / 1e6 - killMs) / (killMs - madeMs);
      }
    }
    // the verdict shown: of the required rules' alerts (first versions and updates), one that
    // names the culprit if any does, else the first in event time; ties by rule, so that the
    // line is the same however the rules' outputs interleave
    String verdict = o.alerts().stream()
        .filter(r -> accepted.contains(r.alert().getRule())
            && r.alert().getStatus() != AlertStatus.RESOLVED && r.alert().getVerdict() != null)
        .min(Comparator.<Received, Boolean>comparing(r -> s.expectCulprit().isEmpty()
                || !names(r.alert(), s.expectCulprit().get()))
            .thenComparingLong(Received::receivedEpochMs)
            .thenComparing(r -> r.alert().getRule()))
        .map(r -> r.alert().getVerdict())
        .orElse(firing.isEmpty() ? "" : firing.get(0).getSummary());
    Set<String> falsePositives = new TreeSet<>(s.unexpected(fired));
    falsePositives.addAll(early);
    // what each alert no label allows said, so that a false positive can be told from the report
    java.util.Map<String, String> falseVerdicts = new java.util.TreeMap<>();
    for (Alert a : firing) {
      if (falsePositives.contains(a.getRule()) && !falseVerdicts.containsKey(a.getRule())) {
        falseVerdicts.put(a.getRule(), a.getVerdict() != null ? a.getVerdict() : a.getSummary());
      }
    }
    rows.add(new Row(s, fired, found, poolRight, culprit, first, falsePositives, lead, error,
        verdict, falseVerdicts));
  }

  /** Whether an alert's pool is the label's: C heaps count as native memory too. */
  static boolean poolMatches(Pool expected, MemoryPool actual) {
    if (actual == null) {
      return false;
    }
    Set<MemoryPool> ok = switch (expected.id()) {
      case "heap" -> EnumSet.of(MemoryPool.HEAP);
      case "metaspace" -> EnumSet.of(MemoryPool.METASPACE, MemoryPool.CLASS_SPACE);
      case "code-cache" -> EnumSet.of(MemoryPool.CODE_CACHE);
      case "direct-buffers" -> EnumSet.of(MemoryPool.DIRECT_BUFFERS, MemoryPool.MAPPED_BUFFERS);
      case "threads" -> EnumSet.of(MemoryPool.THREAD_STACKS);
      case "goroutines" -> EnumSet.of(MemoryPool.GOROUTINE_STACKS);
      case "malloc" -> EnumSet.of(MemoryPool.MALLOC, MemoryPool.NATIVE);
      case "mmap" -> EnumSet.of(MemoryPool.MMAP, MemoryPool.NATIVE);
      case "native" -> EnumSet.of(MemoryPool.NATIVE, MemoryPool.NATIVE_TRACKED,
          MemoryPool.MALLOC, MemoryPool.MMAP);
      case "page-cache" -> EnumSet.of(MemoryPool.PAGE_CACHE);
      case "shmem" -> EnumSet.of(MemoryPool.SHMEM);
      default -> EnumSet.noneOf(MemoryPool.class);
    };
    return ok.contains(actual);
  }

  /** How soon after a JVM's inferred OutOfMemoryError its end counts as the death it foretold. */
  static final long OOME_EXIT_WITHIN_MS = 30_000;

  /**
   * When the process the snapshot is of died: the kernel's kill; for a JVM's OutOfMemoryError,
   * which the JFR collector infers from the collections before the JVM throws (two full
   * collections back to back that left the heap mostly full), the process's end when it came
   * within {@value #OOME_EXIT_WITHIN_MS} ms after — seen on a Serial heap of 384 MiB: inferred
   * at 166.2 s with the heap 92 % full after its collections, while the JVM went on collecting
   * and threw at 174.8 s: the forecast made at 140 s scored 54 % late against the inference and
   * is 16 % late against the throw.
   */
  static long diedAtMs(OomSnapshot s, long endedEpochMs) {
    long killMs = s.getKillUtcNs() / 1_000_000L;
    boolean inferred = s.getOomKill() != null
        && s.getOomKill().getDetectedBy() == io.memfleet.event.OomDetection.JAVA_OUT_OF_MEMORY;
    return inferred && endedEpochMs >= killMs && endedEpochMs - killMs <= OOME_EXIT_WITHIN_MS
        ? endedEpochMs : killMs;
  }

  /**
   * Whether the alert names the culprit as its verdict does: the class it retains, or its stack's
   * innermost program frame ({@link Culprits#frame}, the function the verdict names) — not just
   * any frame: a stack through a function names it without blaming it; nor a function whose
   * pages were only first touched there ({@link AlertCandidates#FIRST_TOUCHED_IN}): the verdict
   * does not say it keeps them.
   */
  static boolean names(Alert a, String culprit) {
    if (a.getObjectClass() != null && a.getObjectClass().contains(culprit)) {
      return true;
    }
    if (a.getVerdict() != null && a.getVerdict().contains(AlertCandidates.FIRST_TOUCHED_IN)) {
      return false;
    }
    String named = a.getTopStack() == null ? null : Culprits.frame(a.getTopStack().getFrames());
    return named != null && named.contains(culprit);
  }

  List<Row> rows() {
    return List.copyOf(rows);
  }

  /** Whether every required finding came and no negative raised anything. */
  boolean passed() {
    return rows.stream().allMatch(r -> r.scenario().isNegative() ? r.fired().stream()
        .allMatch(f -> r.scenario().allow().stream().anyMatch(a -> a.id().equals(f)))
        : r.found()) && rows.stream().allMatch(r -> r.falsePositives().isEmpty());
  }

  void print(PrintStream out) {
    List<List<String>> table = new ArrayList<>();
    for (Row r : rows) {
      Scenario s = r.scenario();
      table.add(List.of(s.id(), s.isNegative() ? "nothing" : s.expectText() + " / "
              + s.expectPool().id(),
          r.fired().isEmpty() ? "-" : String.join(",", r.fired()),
          s.isNegative() ? "" : r.found() ? "yes" : "NO",
          yesNo(r.poolRight()), yesNo(r.culpritNamed()),
          r.firstAlertSeconds() == null ? "" : String.format(Locale.ROOT, "%.0f s",
              r.firstAlertSeconds()),
          r.falsePositives().isEmpty() ? "0" : String.join(",", r.falsePositives()),
          r.forecastLeadSeconds() == null ? (s.expectOom() ? "none" : "")
              : Math.abs(r.forecastErrorShare()) < 0.005
                  ? String.format(Locale.ROOT, "%.0f s ahead, on time", r.forecastLeadSeconds())
                  : String.format(Locale.ROOT, "%.0f s ahead, %.0f%% %s", r.forecastLeadSeconds(),
                      100 * Math.abs(r.forecastErrorShare()),
                      r.forecastErrorShare() < 0 ? "early" : "late")));
    }
    TextTable.print(out, List.of("scenario", "expected", "fired", "found", "pool", "culprit",
        "first alert", "false pos.", "forecast"), table);
    out.println(totals());
    for (Row r : rows) {
      if (!r.verdict().isEmpty()) {
        out.println("  " + r.scenario().id() + ": " + r.verdict());
      }
      r.falseVerdicts().forEach((rule, said) ->
          out.println("  " + r.scenario().id() + ", not allowed: " + rule + ": " + said));
    }
    if (!outside.isEmpty()) {
      out.println("alerts on processes outside the corpus (not scored):");
      outside.values().forEach(line -> out.println("  " + line));
    }
  }

  /** The corpus totals, one paragraph. */
  String totals() {
    List<Row> positives = rows.stream().filter(r -> !r.scenario().isNegative()).toList();
    List<Row> negatives = rows.stream().filter(r -> r.scenario().isNegative()).toList();
    long found = positives.stream().filter(Row::found).count();
    long truePairs = 0;
    long falsePairs = 0;
    for (Row r : rows) {
      for (String f : r.fired()) {
        boolean ok = r.scenario().acceptedRules().stream().anyMatch(a -> a.id().equals(f))
            || r.scenario().allow().stream().anyMatch(a -> a.id().equals(f));
        if (ok) {
          truePairs++;
        } else {
          falsePairs++;
        }
      }
    }
    long poolKnown = positives.stream().filter(r -> r.poolRight() != null).count();
    long poolRight = positives.stream().filter(r -> Boolean.TRUE.equals(r.poolRight())).count();
    long culpritKnown = positives.stream().filter(r -> r.culpritNamed() != null).count();
    long culpritRight = positives.stream().filter(r -> Boolean.TRUE.equals(r.culpritNamed()))
        .count();
    List<Double> times = positives.stream().map(Row::firstAlertSeconds)
        .filter(t -> t != null).sorted().toList();
    long quietNegatives = negatives.stream().filter(r -> r.falsePositives().isEmpty()).count();
    return String.format(Locale.ROOT, "recall %d/%d = %s, precision %d/%d = %s, right pool %d/%d,"
            + " culprit named %d/%d, quiet negatives %d/%d, time to first alert median %s max %s",
        found, positives.size(), pct(found, positives.size()), truePairs, truePairs + falsePairs,
        pct(truePairs, truePairs + falsePairs), poolRight, poolKnown, culpritRight, culpritKnown,
        quietNegatives, negatives.size(),
        times.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f s", times.get(times.size() / 2)),
        times.isEmpty() ? "-" : String.format(Locale.ROOT, "%.0f s", times.get(times.size() - 1)));
  }

  private static String pct(long a, long b) {
    return b == 0 ? "-" : String.format(Locale.ROOT, "%.0f%%", 100.0 * a / b);
  }

  private static String yesNo(Boolean b) {
    return b == null ? "" : b ? "yes" : "NO";
  }

  /** Rules fired per scenario id, for a quick look. */
  Map<String, Set<String>> firedById() {
    Map<String, Set<String>> m = new java.util.LinkedHashMap<>();
    rows.forEach(r -> m.put(r.scenario().id(), r.fired()));
    return m;
  }
}
