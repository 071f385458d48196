package io.memfleet.launcher.explain;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.launcher.explain.Explanation.AlertRow;
import io.memfleet.launcher.explain.Explanation.ClockRow;
import io.memfleet.launcher.explain.Explanation.ProcessRef;
import io.memfleet.launcher.explain.Explanation.StackRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The report on hand-made rows: what each section says, and what it leaves out. */
class ExplainReportTest {
  private static final long MIB = 1 << 20;
  private static final long T0 = 1_767_740_400L;   // 2026-01-06 23:00:00 UTC
  private static final ProcessRef JVM = new ProcessRef("prod-eu", "eu-node-1", 4101,
      1_767_560_000_000L, "checkout", "java", "JVM", T0 + 29 * 60);

  /** A JVM over 30 minutes: metaspace leaks 1 MiB/min, the heap saw-tooths, RSS follows. */
  private static List<BreakdownSample> leakingMetaspace() {
    List<BreakdownSample> out = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Map<String, Long> v = new HashMap<>();
      v.put("heap_used", (200 + (i % 3) * 40) * MIB);
      v.put("heap_committed", 512 * MIB);
      v.put("live_set", 180 * MIB);
      v.put("managed_limit", 1024 * MIB);
      v.put("metaspace", (64 + i) * MIB);
      v.put("class_space", 8 * MIB);
      v.put("code_cache", 30 * MIB);
      v.put("thread_stacks", 40 * MIB);
      v.put("thread_count", 40L);
      v.put("native_other", 100 * MIB);
      v.put("rss_last", (754 + i) * MIB);
      v.put("rss_anon", (700 + i) * MIB);
      v.put("rss_file", 54 * MIB);
      v.put("cgroup_working_set", (800 + i) * MIB);
      v.put("cgroup_limit", 2048 * MIB);
      v.put("cgroup_page_cache", 60 * MIB);
      out.add(new BreakdownSample(T0 + 60L * i, v));
    }
    return out;
  }

  private static final AlertRow METASPACE_ALERT = new AlertRow("3f9a61c07be2d415",
      "metaspace-growth", "WARNING", "FIRING", "METASPACE",
      "metaspace grows 1.0 MiB/min, classes defined by com.acme.PluginLoader", "summary",
      "com.acme.PluginLoader.load <- com.acme.Main.reload", "com.acme.Plugin$1", 17476.3, 0,
      T0 + 29 * 60);

  @Test
  void namesThePoolThatGrowsWithItsShareOfRssAndTrend() {
    String text = ExplainReport.render(new Explanation(JVM, Duration.ofMinutes(30),
        leakingMetaspace(), List.of(METASPACE_ALERT),
        List.of(new StackRow(7001, "JAVA_SAMPLE", "byte[]", 0, 300 * MIB,
            List.of("com.acme.Cache.put", "com.acme.Service.add", "com.acme.Http.handle",
                "com.acme.Worker.run", "java.lang.Thread.run"))),
        List.of("pid 4101 was also java on node eu-node-2"), List.of()));
    System.out.print(text);
    assertThat(text).startsWith("pid 4101 · checkout, java, JVM · node eu-node-1 · cluster"
        + " prod-eu · started 2026-01-04 20:53:20 UTC\n");
    assertThat(text).contains("note: pid 4101 was also java on node eu-node-2",
        "breakdown of the minute from 2026-01-06 23:29:00 UTC; trends over the 30 min before it"
            + " (30 one-minute points from 2026-01-06 23:00:00 UTC)");
    // metaspace: 93 MiB of 783 MiB RSS, 64 MiB at the start, +1 MiB a minute
    assertThat(text).containsPattern("METASPACE +93\\.0 +11\\.9 % +64\\.0 +\\+1\\.00  metaspace");
    assertThat(text).containsPattern("HEAP +512\\.0 +65\\.4 % +512\\.0 +\\+0\\.00  heap, committed"
        + " \\(trend: live set after GC\\)");
    assertThat(text).containsPattern("NATIVE +100\\.0 +12\\.8 %");
    assertThat(text).containsPattern("RSS +783\\.0 +100\\.0 % +754\\.0 +\\+1\\.00  resident set");
    assertThat(text).doesNotContain("GOROUTINE_STACKS", "GC_METADATA", "DIRECT_BUFFERS");
    assertThat(text).contains("grows the most: METASPACE +1.00 MiB/min, +29.0 MiB over 29 min"
        + " (Theil–Sen); RSS +1.00 MiB/min");
    assertThat(text).doesNotContain("also growing");
    assertThat(text).contains("heap in use 280.0 MiB · live set 180.0 MiB · heap limit 1024.0 MiB"
        + " · threads 40");
    assertThat(text).contains("kernel: anon 729.0 MiB · file 54.0 MiB · shmem 0.0 MiB · swap"
        + " 0.0 MiB");
    assertThat(text).contains("cgroup: working set 829.0 MiB of a 2048.0 MiB limit (40 %)");
    assertThat(text).contains("alerts (1):\n  3f9a61c07be2d415  WARNING FIRING  metaspace-growth"
        + "  pool METASPACE  last seen 2026-01-06 23:29:00 UTC\n"
        + "    metaspace grows 1.0 MiB/min, classes defined by com.acme.PluginLoader\n"
        + "    culprit: com.acme.Plugin$1 at com.acme.PluginLoader.load <- com.acme.Main.reload\n"
        + "    growth 0.017 MiB/s\n");
    assertThat(text).containsPattern("0\\.0 +300\\.0  JAVA_SAMPLE  byte\\[\\] · com\\.acme\\.Cache"
        + "\\.put <- com\\.acme\\.Service\\.add <- com\\.acme\\.Http\\.handle <- com\\.acme\\.Worker"
        + "\\.run <- …\n");
  }

  @Test
  void aNativeProcessIsAllNativeAndNothingGrowsWhenFlat() {
    List<BreakdownSample> flat = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      flat.add(new BreakdownSample(T0 + 60L * i,
          Map.of("rss_last", 600 * MIB, "native_other", 600 * MIB)));
    }
    ProcessRef c = new ProcessRef("prod-us", "us-node-2", 6301, 1_767_563_000_000L, "", "", "",
        T0 + 540);
    String text = ExplainReport.render(new Explanation(c, Duration.ofMinutes(10), flat, List.of(),
        List.of(), List.of(), List.of()));
    assertThat(text).startsWith("pid 6301 · node us-node-2 · cluster prod-us");
    assertThat(text).containsPattern("NATIVE +600\\.0 +100\\.0 %");
    assertThat(text).doesNotContain("HEAP ", "METASPACE", "kernel:", "cgroup:");
    assertThat(text).contains("grows the most: no pool grew by 1.0 MiB or more over the window"
        + " (RSS +0.00 MiB/min)");
    assertThat(text).contains("alerts: none open", "top stacks: none recorded for this process"
        + " in the window");
  }

  @Test
  void onePointHasNoTrendAndOvercountedPoolsAreSaid() {
    BreakdownSample only = new BreakdownSample(T0, Map.of("rss_last", 100 * MIB,
        "thread_stacks", 200 * MIB, "thread_count", 200L));
    String text = ExplainReport.render(new Explanation(JVM, Duration.ofMinutes(30),
        List.of(only), List.of(), List.of(), List.of(), List.of()));
    assertThat(text).contains("(1 one-minute point)", "grows the most: one point only, no trend"
        + " yet", "the named pools add up to 200.0 MiB, more than RSS");
    assertThat(text).containsPattern("THREAD_STACKS +200\\.0 +200\\.0 % +200\\.0 +n/a");
  }

  @Test
  void withoutRowsItSaysSoAndStillListsTheAlerts() {
    String text = ExplainReport.render(new Explanation(JVM, Duration.ofMinutes(30), List.of(),
        List.of(METASPACE_ALERT), List.of(), List.of(), List.of()));
    assertThat(text).contains("no rows in process_memory_1m for this process in the window",
        "pool METASPACE");
  }

  @Test
  void anAlertWithoutVerdictShowsItsSummaryAndAForecast() {
    AlertRow old = new AlertRow("a-1", "oom-imminent", "CRITICAL", "UPDATED", "", "",
        "cgroup at 91 % of its limit", "", "", 0, 5400, T0);
    String text = ExplainReport.render(new Explanation(JVM, Duration.ofMinutes(30),
        leakingMetaspace(), List.of(old), List.of(), List.of(), List.of()));
    assertThat(text).contains("  a-1  CRITICAL UPDATED  oom-imminent  last seen",
        "    cgroup at 91 % of its limit\n    OOM forecast in 1.5 h\n");
    assertThat(text).doesNotContain("culprit");
  }

  @Test
  void theHostsClocksShowDriftBoundSamplesAndAge() {
    String text = ExplainReport.render(new Explanation(JVM, Duration.ofMinutes(30),
        leakingMetaspace(), List.of(), List.of(), List.of(),
        List.of(new ClockRow("JFR_TICKS@4101/1767560000000", 0, 2_500_000, 1, 30),
            new ClockRow("MONOTONIC", -31.24, 40_123, 8, 150))));
    assertThat(text).endsWith("clocks of node eu-node-1 (newest calibration per domain):\n"
        + "    domain                drift ppb  error bound  samples    age\n"
        + "    JFR_TICKS (this JVM)       +0.0       2.5 ms        1   30 s\n"
        + "    MONOTONIC                 -31.2      40.1 µs        8  2 min\n");
  }

  @Test
  void aHostWithoutCalibrationsSaysSo() {
    String text = ExplainReport.render(new Explanation(JVM, Duration.ofMinutes(30), List.of(),
        List.of(), List.of(), List.of(), List.of()));
    assertThat(text).endsWith("\nclocks: no calibration of node eu-node-1 in clock_calibration\n");
  }

  @Test
  void boundsAndAgesAreWrittenInTheirUnit() {
    assertThat(List.of(ExplainReport.nanos(850), ExplainReport.nanos(1_500),
        ExplainReport.nanos(12_345_678), ExplainReport.nanos(3_000_000_000L)))
        .containsExactly("850 ns", "1.5 µs", "12.3 ms", "3.0 s");
    assertThat(List.of(ExplainReport.age(119), ExplainReport.age(7_199),
        ExplainReport.age(90_000), ExplainReport.age(400_000), ExplainReport.age(-5)))
        .containsExactly("119 s", "119 min", "25 h", "4 d", "in the future");
  }
}
