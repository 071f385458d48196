package io.memfleet.pipeline.detect.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Observations;
import io.memfleet.pipeline.detect.Rules;
import io.memfleet.pipeline.detect.Signal;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.junit.jupiter.api.Test;

/**
 * The trailing history a {@link TrailingRuleFunction} keeps: the process's identity once, on the
 * newest point, yet every alert carries it whole.
 */
class TrailingHistoryTest {
  private static final double MB = 1024 * 1024;

  private static LeakRule oomImminent() {
    return Rules.all(new Configuration()).stream()
        .filter(r -> r.name().equals(OomImminentRule.NAME)).findFirst().orElseThrow();
  }

  /** Five minutes of 2-s buckets of a cgroup filling towards its limit, with a long identity. */
  private static List<Observation> filling() {
    List<Observation> out = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      Observation o = Observations.of(Signal.CGROUP_MEMORY, i * 2.0, 100 * MB + i * 4 * MB,
          1024 * MB);
      o.bucketStartUtcNs = o.utcNs - o.utcNs % (2 * Observations.S);
      o.bootId = "6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f";
      o.namespace = "payments-production";
      o.pod = "checkout-api-7f9c8d6b5-x2k4q";
      o.container = "checkout-api";
      out.add(o);
    }
    return out;
  }

  private static long keyedStateBytes(RuleHarness rh) throws Exception {
    OperatorSubtaskState s = rh.h.snapshot(1, 1);
    long bytes = 0;
    for (KeyedStateHandle k : s.getManagedKeyedState()) {
      bytes += k.getStateSize();
    }
    return bytes;
  }

  @Test
  void olderPointsDropTheIdentityAndTheAlertsStillCarryIt() throws Exception {
    try (RuleHarness rh = new RuleHarness(oomImminent())) {
      List<Observation> points = filling();
      rh.feed(points.subList(0, 75));
      long half = keyedStateBytes(rh);
      rh.feed(points.subList(75, 150));
      long whole = keyedStateBytes(rh);
      List<Alert> alerts = rh.alerts();
      assertThat(alerts).isNotEmpty().allSatisfy(a -> {
        assertThat(a.getProcess().getService()).isEqualTo("checkout");
        assertThat(a.getProcess().getPod()).isEqualTo("checkout-api-7f9c8d6b5-x2k4q");
        assertThat(a.getProcess().getBootId()).isEqualTo("6f1c2d4e-8a9b-4c3d-9e8f-0a1b2c3d4e5f");
        assertThat(a.getProcess().getNode()).isEqualTo("node-1");
      });
      // the bytes one more point costs (the snapshot's fixed part, serializer snapshots and
      // all, cancels out): 272 B with the identity on every point, 138 B without, 11 B written
      // as steps from the point before (ObservationHistorySerializer)
      double perPoint = (whole - half) / 75.0;
      assertThat(perPoint).as("bytes of state per history point").isLessThan(20);
    }
  }

  @Test
  void slimKeepsWhatRulesJudgeBy() {
    Observation o = Observations.of(Signal.CGROUP_MEMORY, 2.0, 100 * MB, 1024 * MB);
    o.stackHash = 42;
    o.stackFrames = "leak\nmain";
    o.objectClass = "byte[]";
    o.slim();
    assertThat(o.service).isNull();
    assertThat(o.stackFrames).isEqualTo("leak\nmain");
    assertThat(o.runtime).isNotNull();
    assertThat(o.stackHash).isEqualTo(42);
    assertThat(o.objectClass).isEqualTo("byte[]");
    assertThat(o.value).isEqualTo(100 * MB);
    assertThat(o.companion).isEqualTo(1024 * MB);
  }

  /** A trailing rule whose evidence ends before the newest point, as the live-set rule's may. */
  static final class EndsEarly extends LeakRule implements TrailingRule {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
      return "ends-early";
    }

    @Override
    public Signal signal() {
      return Signal.CGROUP_MEMORY;
    }

    @Override
    public Finding assess(List<Observation> run) {
      return run.size() < 3 ? null
          : new Finding(io.memfleet.event.Severity.WARNING, 1.0, null, "grows", null);
    }

    @Override
    public String evidenceKind(Observation o) {
      return "test";
    }

    @Override
    public java.time.Duration window() {
      return java.time.Duration.ofMinutes(10);
    }

    @Override
    public List<Observation> evidence(List<Observation> history) {
      return history.subList(0, history.size() - 1);
    }
  }

  @Test
  void anAlertWhoseEvidenceEndsEarlierStillCarriesTheIdentity() throws Exception {
    try (RuleHarness rh = new RuleHarness(new EndsEarly())) {
      rh.feed(filling().subList(0, 20));
      List<Alert> alerts = rh.alerts();
      assertThat(alerts).isNotEmpty().allSatisfy(a -> {
        assertThat(a.getProcess().getService()).isEqualTo("checkout");
        assertThat(a.getProcess().getComm()).isEqualTo("leaky");
        assertThat(a.getProcess().getCluster()).isEqualTo("test-cluster");
      });
      assertThat(alerts).extracting(Alert::getFingerprint).containsOnly(
          alerts.get(0).getFingerprint());
    }
  }

  /** The OOM rule with every point of its window kept: the reference for what dropping saves. */
  static final class KeepAll extends LeakRule implements TrailingRule {
    private static final long serialVersionUID = 1L;
    private final OomImminentRule rule = (OomImminentRule) oomImminent();

    @Override
    public String name() {
      return rule.name();
    }

    @Override
    public Signal signal() {
      return rule.signal();
    }

    @Override
    public io.memfleet.event.MemoryPool pool(Observation o) {
      return rule.pool(o);
    }

    @Override
    public io.memfleet.event.MemoryPool pool(List<Observation> run) {
      return rule.pool(run);
    }

    @Override
    public boolean admits(Observation o) {
      return rule.admits(o);
    }

    @Override
    public Finding assess(List<Observation> run) {
      return rule.assess(run);
    }

    @Override
    public String evidenceKind(Observation o) {
      return rule.evidenceKind(o);
    }

    @Override
    public String describe(Observation o) {
      return rule.describe(o);
    }

    @Override
    public java.time.Duration window() {
      return rule.window();
    }

    @Override
    public java.time.Duration resolution() {
      return rule.resolution();
    }

    @Override
    public void merge(Observation point, Observation o) {
      rule.merge(point, o);
    }

    @Override
    public java.time.Duration reportEvery() {
      return rule.reportEvery();
    }

    @Override
    public List<Observation> evidence(List<Observation> history) {
      return rule.evidence(history);
    }
  }

  /**
   * Four minutes low and noisy (12-18 % of the limit, a dip every 20 s), then a climb of 5.5 MiB/s
   * for 2 minutes, to 80 % of it: a process far from its limit, and then one about to be killed.
   */
  private static List<Observation> lowThenClimbing() {
    List<Observation> out = new ArrayList<>();
    java.util.Random random = new java.util.Random(7);
    double value = 150 * MB;
    for (int i = 0; i < 180; i++) {
      if (i < 120) {
        value = i % 10 == 9 ? 130 * MB : Math.min(180 * MB, value + random.nextInt(3) * MB);
      } else {
        value += 11 * MB;
      }
      Observation o = Observations.of(Signal.CGROUP_MEMORY, i * 2.0, value, 1024 * MB);
      o.bucketStartUtcNs = o.utcNs - o.utcNs % (2 * Observations.S);
      out.add(o);
    }
    return out;
  }

  @Test
  void aProcessFarFromItsLimitKeepsOnlyItsRisingSuffixAndIsForecastTheSame() throws Exception {
    List<Observation> points = lowThenClimbing();
    try (RuleHarness dropping = new RuleHarness(oomImminent());
        RuleHarness keeping = new RuleHarness(new KeepAll());
        RuleHarness empty = new RuleHarness(oomImminent())) {
      dropping.feed(points.subList(0, 120));
      keeping.feed(points.subList(0, 120));
      long fixed = keyedStateBytes(empty); // the snapshot's fixed part, ~2 KB
      long low = keyedStateBytes(dropping) - fixed;
      long lowKept = keyedStateBytes(keeping) - fixed;
      // 120 points against the few since the last dip
      assertThat(low).as("low and noisy: the rising suffix only").isLessThan(lowKept / 3);
      dropping.feed(points.subList(120, 180));
      keeping.feed(points.subList(120, 180));
      List<Alert> a = dropping.alerts();
      List<Alert> b = keeping.alerts();
      assertThat(a).isNotEmpty();
      assertThat(a).hasSameSizeAs(b);
      for (int i = 0; i < a.size(); i++) {
        assertThat(a.get(i).getForecastOomUtcNs()).isEqualTo(b.get(i).getForecastOomUtcNs());
        assertThat(a.get(i).getSeverity()).isEqualTo(b.get(i).getSeverity());
        assertThat(a.get(i).getSummary()).isEqualTo(b.get(i).getSummary());
        assertThat(a.get(i).getFirstSeenUtcNs()).isEqualTo(b.get(i).getFirstSeenUtcNs());
      }
    }
  }
}
