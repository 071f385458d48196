package io.memfleet.pipeline.detect.alert;

import static io.memfleet.pipeline.detect.Observations.MB;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.LifecyclePhase;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.pipeline.detect.Events;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Observations;
import io.memfleet.pipeline.detect.Rules;
import io.memfleet.pipeline.detect.Signal;
import io.memfleet.pipeline.detect.rules.Finding;
import io.memfleet.pipeline.detect.rules.LeakRule;
import io.memfleet.pipeline.detect.rules.RuleMatchFunction;
import io.memfleet.pipeline.model.TimedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertManagerFunctionTest {
  private static final Duration RESOLVE = Duration.ofMinutes(5);
  private final LeakRule liveSet = Rules.all(new Configuration()).get(0);
  private KeyedTwoInputStreamOperatorTestHarness<String, Alert, TimedEvent, Alert> h;

  @BeforeEach
  void open() throws Exception {
    h = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
        new AlertManagerFunction(RESOLVE), AlertManagerFunction::processKey,
        TimedEvent::processKey, Types.STRING);
    h.open();
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  /** A candidate from the live-set rule for a run from {@code from} to {@code to} seconds. */
  private Alert candidate(String node, int pid, double from, double to) {
    List<Observation> run = new ArrayList<>();
    for (double t = from; t <= to; t += 10) {
      run.add(Observations.of(Signal.LIVE_SET, node, pid, t, 100 * MB + (t - from) * MB, 512 * MB));
    }
    return RuleMatchFunction.toAlert(liveSet, liveSet.assess(run), run, 24);
  }

  private void send(Alert a) throws Exception {
    h.processElement1(new StreamRecord<>(a, a.getLastSeenUtcNs() / 1_000_000L));
  }

  private List<Alert> out() {
    return new ArrayList<>(h.extractOutputValues());
  }

  @Test
  void ongoingLeakIsOneAlertFiringThenUpdatedThenResolved() throws Exception {
    send(candidate("node-1", 7, 0, 60));
    send(candidate("node-1", 7, 70, 130));
    send(candidate("node-1", 7, 140, 200));
    List<Alert> alerts = out();
    assertThat(alerts).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING,
        AlertStatus.UPDATED, AlertStatus.UPDATED);
    assertThat(alerts).extracting(Alert::getAlertId).containsOnly(alerts.get(0).getAlertId());
    assertThat(alerts.get(0).getAlertId()).hasSize(16);
    assertThat(alerts.get(2).getFirstSeenUtcNs()).isEqualTo(Events.ns(0));
    assertThat(alerts.get(2).getLastSeenUtcNs()).isEqualTo(Events.ns(200));
    assertThat(h.numEventTimeTimers()).isEqualTo(1);

    // no new evidence: resolved resolve-after past the last seen
    long lastMs = Events.ns(200) / 1_000_000L;
    h.processBothWatermarks(new Watermark(lastMs + RESOLVE.toMillis() - 1));
    assertThat(out()).hasSize(3);
    h.processBothWatermarks(new Watermark(lastMs + RESOLVE.toMillis()));
    Alert resolved = out().get(3);
    assertThat(resolved.getStatus()).isEqualTo(AlertStatus.RESOLVED);
    assertThat(resolved.getAlertId()).isEqualTo(alerts.get(0).getAlertId());
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();

    // the same leak later is a new alert instance with a new id
    send(candidate("node-1", 7, 900, 960));
    assertThat(out().get(4).getStatus()).isEqualTo(AlertStatus.FIRING);
    assertThat(out().get(4).getAlertId()).isNotEqualTo(alerts.get(0).getAlertId());
  }

  @Test
  void sameLeakOnTwoHostsSharesTheFingerprintButNotTheId() throws Exception {
    send(candidate("node-1", 7, 0, 60));
    send(candidate("node-2", 9911, 3, 63));
    List<Alert> alerts = out();
    assertThat(alerts).hasSize(2).allMatch(a -> a.getStatus() == AlertStatus.FIRING);
    assertThat(alerts.get(0).getFingerprint()).isEqualTo(alerts.get(1).getFingerprint());
    assertThat(alerts.get(0).getAlertId()).isNotEqualTo(alerts.get(1).getAlertId());
    assertThat(alerts.get(0).getProcess().getNode()).isEqualTo("node-1");
    assertThat(alerts.get(1).getProcess().getNode()).isEqualTo("node-2");
  }

  @Test
  void processExitResolvesItsAlertsAndClearsStateAndTimers() throws Exception {
    send(candidate("node-1", 7, 0, 60));
    Finding other = new Finding(io.memfleet.event.Severity.WARNING, 1.0, null, "other");
    List<Observation> run = List.of(
        Observations.of(Signal.GOROUTINES, "node-1", 7, 0, 6000, Double.NaN),
        Observations.of(Signal.GOROUTINES, "node-1", 7, 130, 7000, Double.NaN));
    LeakRule goroutines = Rules.all(new Configuration()).get(2);
    send(RuleMatchFunction.toAlert(goroutines, other, run, 24));
    assertThat(h.numKeyedStateEntries()).isGreaterThan(0);

    ProcessLifecycle exit = ProcessLifecycle.newBuilder()
        .setHeader(Events.header(Events.process("node-1", 7, Runtime.JVM), Source.PROCFS, 140, 1))
        .setPhase(LifecyclePhase.EXITED).build();
    TimedEvent e = Events.aligned(exit);
    assertThat(e.processExited).isTrue();
    h.processElement2(new StreamRecord<>(e, e.eventTimeMs()));

    List<Alert> alerts = out();
    assertThat(alerts.subList(2, 4)).extracting(Alert::getStatus)
        .containsOnly(AlertStatus.RESOLVED);
    assertThat(alerts.subList(2, 4)).extracting(Alert::getRule)
        .containsExactlyInAnyOrder("live-set-growth", "goroutine-leak");
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }
}
