package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Alert;
import io.memfleet.event.AlertStatus;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Severity;
import io.memfleet.event.StackTrace;
import io.memfleet.pipeline.detect.rules.AlertCandidates;
import io.memfleet.scenarios.Corpus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalReportTest {
  private static final long T0 = 1_800_000_000_000L;

  private static EvalReport.Received alert(String service, String rule, MemoryPool pool,
      long receivedMs, String frame) {
    return alertWithStack(service, rule, pool, receivedMs,
        frame == null ? null : List.of(frame));
  }

  private static EvalReport.Received alertWithStack(String service, String rule, MemoryPool pool,
      long receivedMs, List<String> frames) {
    Alert a = Alert.newBuilder().setAlertId("a").setFingerprint("f").setRule(rule)
        .setSeverity(Severity.WARNING).setStatus(AlertStatus.FIRING)
        .setProcess(ProcessIdentity.newBuilder().setCluster("local").setNode("n")
            .setBootId("b").setPid(1).setProcessStartTimeMs(T0).setComm("x")
            .setRuntime(Runtime.JVM).setService(service).build())
        .setFirstSeenUtcNs(receivedMs * 1_000_000L).setLastSeenUtcNs(receivedMs * 1_000_000L)
        .setSummary("s").setPool(pool).setVerdict("heap grows 1.0 MiB/s")
        .setTopStack(frames == null ? null : StackTrace.newBuilder().setHash(1)
            .setFrames(frames).build())
        .build();
    return new EvalReport.Received(a, receivedMs);
  }

  @Test
  void aLeakFoundWithItsPoolAndCulpritAndQuietNegativesPass() {
    EvalReport r = new EvalReport();
    r.add(new EvalReport.Outcome(Corpus.byId("jvm-g1-heap-leak"), T0, -1, List.of(
        alert("jvm-g1-heap-leak", "live-set-growth", MemoryPool.HEAP, T0 + 150_000,
            "io.memfleet.scenarios.jvm.SessionService$SessionRecord.<init>:40")), List.of()));
    r.add(new EvalReport.Outcome(Corpus.byId("jvm-g1-sawtooth"), T0, -1, List.of(), List.of()));
    EvalReport.Row leak = r.rows().get(0);
    assertThat(leak.found()).isTrue();
    assertThat(leak.poolRight()).isTrue();
    assertThat(leak.culpritNamed()).isTrue();
    assertThat(leak.firstAlertSeconds()).isEqualTo(150.0);
    assertThat(r.passed()).isTrue();
    assertThat(r.totals()).startsWith("recall 1/1 = 100%, precision 1/1 = 100%, right pool 1/1,"
        + " culprit named 1/1, quiet negatives 1/1");
  }

  @Test
  void theFirstForecastBeforeTheEndIsScoredWithItsDirection() {
    // made 10 s before the process ended, forecasting its end 2 s too soon: 20 % early
    EvalReport.Received early = alert("jvm-oome", "live-set-growth", MemoryPool.HEAP,
        T0 + 50_000, null);
    early = new EvalReport.Received(Alert.newBuilder(early.alert())
        .setForecastOomUtcNs((T0 + 58_000) * 1_000_000L).build(), T0 + 50_000);
    EvalReport r = new EvalReport();
    r.add(new EvalReport.Outcome(Corpus.byId("jvm-oome"), T0, T0 + 60_000, List.of(early),
        List.of()));
    EvalReport.Row row = r.rows().get(0);
    assertThat(row.forecastLeadSeconds()).isEqualTo(10.0);
    assertThat(row.forecastErrorShare()).isCloseTo(-0.2, org.assertj.core.api.Assertions
        .within(1e-9));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.print(new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("10 s ahead, 20% early");
  }

  @Test
  void aJvmsInferredOutOfMemoryErrorIsJudgedAtTheProcesssEndThatFollowed() {
    io.memfleet.event.OomKill inferred = io.memfleet.event.OomKill.newBuilder()
        .setHeader(io.memfleet.event.EventHeader.newBuilder()
            .setProcess(alert("x", "r", MemoryPool.HEAP, T0, null).alert().getProcess())
            .setSource(io.memfleet.event.Source.JFR)
            .setClockDomain(io.memfleet.event.ClockDomain.REALTIME)
            .setRawTimestamp((T0 + 166_000) * 1_000_000L).setCollector("c").setSequence(1)
            .build())
        .setDetectedBy(io.memfleet.event.OomDetection.JAVA_OUT_OF_MEMORY).setVictimComm("java")
        .setPool(MemoryPool.HEAP).build();
    io.memfleet.event.OomSnapshot snapshot = io.memfleet.event.OomSnapshot.newBuilder()
        .setSnapshotId("s").setProcess(inferred.getHeader().getProcess())
        .setKillUtcNs((T0 + 166_000) * 1_000_000L).setOomKill(inferred).setWindowNs(5L)
        .setEvents(List.of()).build();
    // inferred at 166 s, the JVM ended at 174.8 s: it died then
    assertThat(EvalReport.diedAtMs(snapshot, T0 + 174_800)).isEqualTo(T0 + 174_800);
    // a JVM that caught it and ran on: the inference stands
    assertThat(EvalReport.diedAtMs(snapshot, T0 + 400_000)).isEqualTo(T0 + 166_000);
    // the kernel's kill is the death whatever came after
    io.memfleet.event.OomSnapshot kernel = io.memfleet.event.OomSnapshot.newBuilder(snapshot)
        .setOomKill(io.memfleet.event.OomKill.newBuilder(inferred)
            .setDetectedBy(io.memfleet.event.OomDetection.CGROUP_COUNTER).build())
        .build();
    assertThat(EvalReport.diedAtMs(kernel, T0 + 174_800)).isEqualTo(T0 + 166_000);
  }

  @Test
  void theCulpritIsTheFunctionTheVerdictNamesNotAnyFrameOfTheStack() {
    // a stack through the leaking function whose innermost program frame is its caller blames
    // the caller (the verdict says "from main"); the same function innermost names it
    EvalReport wrong = new EvalReport();
    wrong.add(new EvalReport.Outcome(Corpus.byId("c-malloc-leak"), T0, -1, List.of(
        alertWithStack("c-malloc-leak", "native-growth", MemoryPool.MALLOC, T0 + 150_000,
            List.of("_int_malloc", "main", "leak_request_buffer"))), List.of()));
    assertThat(wrong.rows().get(0).found()).isTrue();
    assertThat(wrong.rows().get(0).culpritNamed()).isFalse();
    EvalReport right = new EvalReport();
    right.add(new EvalReport.Outcome(Corpus.byId("c-malloc-leak"), T0, -1, List.of(
        alertWithStack("c-malloc-leak", "native-growth", MemoryPool.MALLOC, T0 + 150_000,
            List.of("_int_malloc", "leak_request_buffer", "main"))), List.of()));
    assertThat(right.rows().get(0).culpritNamed()).isTrue();
  }

  @Test
  void aFunctionWhosePagesWereOnlyFirstTouchedThereIsNotNamed() {
    // without the allocator probes a malloc leak is named by first touches: the verdict says so
    // and does not blame the function, so neither does the score
    EvalReport.Received touched = alertWithStack("c-malloc-leak", "native-growth",
        MemoryPool.MALLOC, T0 + 150_000, List.of("memset", "leak_request_buffer", "main"));
    touched.alert().setVerdict("native memory grows 1.0 MiB/s, "
        + AlertCandidates.FIRST_TOUCHED_IN + "leak_request_buffer");
    EvalReport r = new EvalReport();
    r.add(new EvalReport.Outcome(Corpus.byId("c-malloc-leak"), T0, -1, List.of(touched),
        List.of()));
    assertThat(r.rows().get(0).found()).isTrue();
    assertThat(r.rows().get(0).culpritNamed()).isFalse();
  }

  @Test
  void aPoolNamedByAnUpdateOfTheAlertCountsAndOneNamedOnlyWhenResolvedDoesNot() {
    EvalReport.Received firing = alert("go-fast-oom", "oom-imminent", null, T0 + 15_000, null);
    EvalReport.Received updated = alert("go-fast-oom", "oom-imminent", MemoryPool.HEAP,
        T0 + 25_000, null);
    updated.alert().setStatus(AlertStatus.UPDATED);
    EvalReport r = new EvalReport();
    r.add(new EvalReport.Outcome(Corpus.byId("go-fast-oom"), T0, -1, List.of(firing, updated),
        List.of()));
    assertThat(r.rows().get(0).poolRight()).isTrue();

    EvalReport.Received resolved = alert("go-fast-oom", "oom-imminent", MemoryPool.HEAP,
        T0 + 40_000, null);
    resolved.alert().setStatus(AlertStatus.RESOLVED);
    EvalReport late = new EvalReport();
    late.add(new EvalReport.Outcome(Corpus.byId("go-fast-oom"), T0, -1,
        List.of(firing, resolved), List.of()));
    assertThat(late.rows().get(0).poolRight()).isFalse();
  }

  @Test
  void aNegativeThatFiresOrAMissedLeakFails() {
    EvalReport r = new EvalReport();
    r.add(new EvalReport.Outcome(Corpus.byId("jvm-cache-fill-flat"), T0, -1, List.of(
        alert("jvm-cache-fill-flat", "live-set-growth", MemoryPool.HEAP, T0 + 90_000, null)),
        List.of()));
    assertThat(r.passed()).isFalse();
    assertThat(r.rows().get(0).falsePositives()).containsExactly("live-set-growth");
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    r.print(new PrintStream(said, true, StandardCharsets.UTF_8));
    assertThat(said.toString(StandardCharsets.UTF_8))
        .contains("jvm-cache-fill-flat, not allowed: live-set-growth: heap grows 1.0 MiB/s");

    EvalReport missed = new EvalReport();
    missed.add(new EvalReport.Outcome(Corpus.byId("go-heap-leak"), T0, -1, List.of(),
        List.of()));
    assertThat(missed.passed()).isFalse();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    missed.print(new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("go-heap-leak").contains("NO")
        .contains("recall 0/1 = 0%");
  }

  @Test
  void aLateLeakIsTimedFromItsStartAndAnAlertBeforeItIsFalse() {
    EvalReport r = new EvalReport();
    r.add(new EvalReport.Outcome(Corpus.byId("jvm-late-heap-leak"), T0, -1, List.of(
        alert("jvm-late-heap-leak", "live-set-growth", MemoryPool.HEAP, T0 + 60_000, null),
        alert("jvm-late-heap-leak", "live-set-growth", MemoryPool.HEAP, T0 + 280_000, null)),
        List.of()));
    EvalReport.Row row = r.rows().get(0);
    assertThat(row.firstAlertSeconds()).isEqualTo(100.0); // 280 s − the 180 s it started at
    assertThat(row.falsePositives()).containsExactly("early:live-set-growth");
  }

  @Test
  void poolsOfNativeLeaksMayBeNamedAsNativeMemory() {
    assertThat(EvalReport.poolMatches(io.memfleet.scenarios.Pool.of("malloc"), MemoryPool.MALLOC))
        .isTrue();
    assertThat(EvalReport.poolMatches(io.memfleet.scenarios.Pool.of("malloc"), MemoryPool.NATIVE))
        .isTrue();
    assertThat(EvalReport.poolMatches(io.memfleet.scenarios.Pool.of("heap"), MemoryPool.NATIVE))
        .isFalse();
    assertThat(EvalReport.poolMatches(io.memfleet.scenarios.Pool.of("heap"), null)).isFalse();
  }

  @Test
  void alertsOnProcessesOutsideTheCorpusArePrintedButNotScored() {
    EvalReport r = new EvalReport();
    r.add(new EvalReport.Outcome(Corpus.byId("jvm-g1-sawtooth"), T0, -1, List.of(), List.of()));
    r.outside(alert(null, "native-growth", MemoryPool.NATIVE, T0 + 800_000, null).alert());
    r.outside(alert(null, "native-growth", MemoryPool.NATIVE, T0 + 900_000, null).alert());
    assertThat(r.passed()).isTrue();
    assertThat(r.totals()).contains("precision 0/0");
    assertThat(r.outsideLines()).containsExactly("x (pid 1): native-growth — s");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    r.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("alerts on processes outside the corpus (not scored):\n  x (pid 1): "
            + "native-growth — s");
  }

  @Test
  void theVerdictShownIsTheOneNamingTheCulpritWhateverTheOrderAlertsCameIn() {
    EvalReport.Received byPages = withVerdict(alertWithStack("c-malloc-leak", "native-growth",
        MemoryPool.MALLOC, T0 + 100_000, List.of("parse_request", "main")),
        "native memory grows, new pages first touched in parse_request");
    EvalReport.Received byProbes = withVerdict(alertWithStack("c-malloc-leak",
        "outstanding-growth", MemoryPool.MALLOC, T0 + 160_000,
        List.of("leak_request_buffer", "main")), "native memory grows, from leak_request_buffer");
    for (List<EvalReport.Received> order : List.of(List.of(byPages, byProbes),
        List.of(byProbes, byPages))) {
      EvalReport r = new EvalReport();
      r.add(new EvalReport.Outcome(Corpus.byId("c-malloc-leak"), T0, -1, order, List.of()));
      assertThat(r.rows().get(0).verdict()).isEqualTo(
          "native memory grows, from leak_request_buffer");
    }
  }

  private static EvalReport.Received withVerdict(EvalReport.Received r, String verdict) {
    return new EvalReport.Received(Alert.newBuilder(r.alert()).setVerdict(verdict).build(),
        r.receivedEpochMs());
  }
}
