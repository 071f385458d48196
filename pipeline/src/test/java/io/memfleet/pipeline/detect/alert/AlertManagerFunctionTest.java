package io.memfleet.pipeline.detect.alert;

import static io.memfleet.pipeline.detect.Observations.MB;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.StackTrace;
import io.memfleet.pipeline.detect.Events;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Observations;
import io.memfleet.pipeline.detect.Rules;
import io.memfleet.pipeline.detect.Signal;
import io.memfleet.pipeline.detect.rules.LeakRule;
import io.memfleet.pipeline.detect.rules.AlertCandidates;
import io.memfleet.pipeline.model.ProcessId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alert lifecycle on the operator harness: one alert per ongoing leak, kept alive while its
 * series or the process's resident set grows, resolved when growth stops, when the series falls
 * back (reclaimed) or when the process exits — with no state or timer left behind.
 */
class AlertManagerFunctionTest {
  private static final Duration RESOLVE = Duration.ofMinutes(5);
  private final List<LeakRule> rules = Rules.all(new Configuration());
  /** The live-set rule judging growth as in a running service (no from-start window). */
  private final LeakRule liveSet = Rules.all(noFromStartWindow()).get(0);
  private KeyedTwoInputStreamOperatorTestHarness<ProcessId, Alert, Observation, Alert> h;

  @BeforeEach
  void open() throws Exception {
    Map<String, Signal> signals = rules.stream()
        .collect(Collectors.toMap(LeakRule::name, LeakRule::signal, (a, b) -> a));
    h = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
        new AlertManagerFunction(RESOLVE, signals), AlertManagerFunction::processId,
        Observation::processId, TypeInformation.of(ProcessId.class));
    h.open();
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  /**
   * A candidate from the live-set rule for the run of 90 s that ends at {@code to} seconds,
   * reported as first seen at {@code from}.
   */
  private static Configuration noFromStartWindow() {
    Configuration c = new Configuration();
    c.set(io.memfleet.pipeline.detect.DetectionOptions.FROM_START_WINDOW, Duration.ZERO);
    return c;
  }

  private Alert candidate(String node, int pid, double from, double to) {
    List<Observation> run = new ArrayList<>();
    for (double t = to - 90; t <= to; t += 10) {
      run.add(live(node, pid, t, 100 * MB + (t - from) * MB));
    }
    Alert a = AlertCandidates.toAlert(liveSet, liveSet.assess(run), run, 24);
    return Alert.newBuilder(a).setFirstSeenUtcNs(Events.ns(from)).build();
  }

  private static Observation live(String node, int pid, double t, double value) {
    Observation o = Observations.of(Signal.LIVE_SET, node, pid, t, value, 512 * MB);
    o.confirmed = true;
    return o;
  }

  private void send(Alert a) throws Exception {
    h.processElement1(new StreamRecord<>(a, a.getLastSeenUtcNs() / 1_000_000L));
  }

  private void send(Observation o) throws Exception {
    h.processElement2(new StreamRecord<>(o, o.utcNs / 1_000_000L));
  }

  private void watermark(double seconds) throws Exception {
    h.processBothWatermarks(new Watermark(Events.ns(seconds) / 1_000_000L));
  }

  private List<Alert> out() {
    return new ArrayList<>(h.extractOutputValues());
  }

  @Test
  void ongoingLeakIsOneAlertFiringThenUpdatedThenResolvedWhenGrowthStops() throws Exception {
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

    // the series stays where it was: resolved resolve-after past the last growth
    send(live("node-1", 7, 260, 160 * MB));
    watermark(200 + RESOLVE.toSeconds() - 1);
    assertThat(out()).hasSize(3);
    watermark(200 + RESOLVE.toSeconds());
    Alert resolved = out().get(3);
    assertThat(resolved.getStatus()).isEqualTo(AlertStatus.RESOLVED);
    assertThat(resolved.getSummary()).startsWith("resolved (growth stopped");
    assertThat(resolved.getAlertId()).isEqualTo(alerts.get(0).getAlertId());
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();

    // the same leak later is a new alert instance with a new id
    send(candidate("node-1", 7, 900, 960));
    assertThat(out().get(4).getStatus()).isEqualTo(AlertStatus.FIRING);
    assertThat(out().get(4).getAlertId()).isNotEqualTo(alerts.get(0).getAlertId());
  }

  @Test
  void aForecastThatBecomesKnownIsSentAtOnce() throws Exception {
    // the floors raised the alert without a time to OOM; 10 s later a full collection showed
    // the live set and the rule forecasts: seconds count, so it does not wait for the minute
    Alert floors = Alert.newBuilder(candidate("node-1", 7, 0, 60)).setTimeToOomSeconds(null)
        .setForecastOomUtcNs(null).build();
    send(floors);
    send(candidate("node-1", 7, 0, 70));
    send(candidate("node-1", 7, 0, 80));
    List<Alert> alerts = out();
    assertThat(alerts).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING,
        AlertStatus.UPDATED);
    assertThat(alerts.get(0).getForecastOomUtcNs()).isNull();
    assertThat(alerts.get(1).getForecastOomUtcNs()).isNotNull();
    assertThat(alerts.get(1).getLastSeenUtcNs()).isEqualTo(Events.ns(70));
  }

  @Test
  void aCulpritNamedByBetterEvidenceIsSentAtOnce() throws Exception {
    // native growth first named from the first touches of new heap pages (the churn's), ten
    // seconds later from the malloc probes' outstanding bytes: on-call sees the change at once;
    // the same culprit again waits for the minute
    send(withStack(candidate("node-1", 7, 0, 60), "_int_malloc", "parse_request", "main"));
    send(withStack(candidate("node-1", 7, 0, 70), "leak_request_buffer", "main"));
    send(withStack(candidate("node-1", 7, 0, 80), "_int_malloc", "leak_request_buffer"));
    List<Alert> alerts = out();
    assertThat(alerts).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING,
        AlertStatus.UPDATED);
    assertThat(alerts.get(1).getTopStack().getFrames()).startsWith("leak_request_buffer");
    assertThat(alerts.get(1).getAlertId()).isEqualTo(alerts.get(0).getAlertId());
    assertThat(alerts.get(1).getLastSeenUtcNs()).isEqualTo(Events.ns(70));
  }

  private static Alert withStack(Alert a, String... frames) {
    return Alert.newBuilder(a).setTopStack(StackTrace.newBuilder().setHash(frames.length)
        .setFrames(List.of(frames)).setTruncated(false).build()).build();
  }

  @Test
  void aLeakWhoseEvidenceThinsOutStaysOpenWhileItsSeriesOrItsResidentSetGrows()
      throws Exception {
    send(candidate("node-1", 7, 0, 60));
    // no new candidate (GC cycles get rarer), but the heap after GC still rises now and then
    send(live("node-1", 7, 200, 300 * MB));
    send(live("node-1", 7, 500, 500 * MB));
    watermark(700);
    assertThat(out()).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING);
    // then only the resident set says it still grows
    send(Observations.of(Signal.RESIDENT, "node-1", 7, 600, 900 * MB, Double.NaN));
    send(Observations.of(Signal.RESIDENT, "node-1", 7, 900, 1200 * MB, Double.NaN));
    watermark(1150);
    assertThat(out()).hasSize(1);
    watermark(900 + RESOLVE.toSeconds());
    assertThat(out()).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING,
        AlertStatus.RESOLVED);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }

  @Test
  void whatAnOldCollectionReclaimsResolvesTheAlert() throws Exception {
    send(candidate("node-1", 7, 0, 60)); // the run began at 70 MiB
    send(live("node-1", 7, 80, 60 * MB)); // an old collection: back below where it began
    List<Alert> alerts = out();
    assertThat(alerts).extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING,
        AlertStatus.RESOLVED);
    assertThat(alerts.get(1).getSummary()).startsWith("resolved (reclaimed");
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
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
    // judged as growth in a running service (no from-start window), to keep this about exits
    Configuration noFromStart = new Configuration();
    noFromStart.set(io.memfleet.pipeline.detect.DetectionOptions.FROM_START_WINDOW,
        Duration.ZERO);
    LeakRule goroutines = Rules.all(noFromStart).stream()
        .filter(r -> r.name().equals("goroutine-leak")).findFirst().orElseThrow();
    List<Observation> run = new ArrayList<>();
    for (int t = 0; t <= 130; t += 10) {
      run.add(Observations.of(Signal.GOROUTINES, "node-1", 7, t, 600 + 20 * t, Double.NaN));
    }
    assertThat(goroutines.assess(run)).as("the goroutine rule's finding").isNotNull();
    send(AlertCandidates.toAlert(goroutines, goroutines.assess(run), run, 24));
    assertThat(out()).hasSize(2);
    assertThat(h.numKeyedStateEntries()).isGreaterThan(0);

    Observation exit = Observations.of(Signal.EXITED, "node-1", 7, 140, Double.NaN, Double.NaN);
    send(exit);

    List<Alert> alerts = out();
    assertThat(alerts.subList(2, 4)).extracting(Alert::getStatus)
        .containsOnly(AlertStatus.RESOLVED);
    assertThat(alerts.subList(2, 4)).extracting(Alert::getRule)
        .containsExactlyInAnyOrder("live-set-growth", "goroutine-leak");

    // a finding on data from before the exit, matched after the exit arrived here: sent, and
    // resolved at once, not left FIRING for a process that is gone
    send(candidate("node-1", 7, 60, 139));
    List<Alert> late = out().subList(4, out().size());
    assertThat(late).extracting(Alert::getStatus)
        .containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
    assertThat(late.get(1).getSummary()).startsWith("resolved (process exited)");
    assertThat(late.get(1).getAlertId()).isEqualTo(late.get(0).getAlertId()).isNotEmpty();

    // the exit is remembered, then nothing of the process is left
    assertThat(h.numEventTimeTimers()).isEqualTo(1);
    watermark(140 + AlertManagerFunction.EXITED_MEMORY_MINUTES * 60);
    assertThat(h.numKeyedStateEntries()).isZero();
    assertThat(h.numEventTimeTimers()).isZero();
  }
}
