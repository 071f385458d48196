package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.jfr.attach.ClassHistogram;
import io.memfleet.collector.jfr.attach.RecordingControl;
import io.memfleet.collector.jfr.attach.TargetProcess;
import io.memfleet.collector.jfr.testing.LeakyCacheApp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Shenandoah JVM whose heap grows (under Shenandoah JFR's leak profiler keeps no sample,
 * so class histograms are what name its growth): two class histograms taken through the attach
 * mechanism a few seconds apart are read into rows, and the classes of its cache grow between
 * them.
 */
class ClassHistogramIT {
  @TempDir Path dir;

  @Test
  void theHistogramsOfAGrowingHeapShowItsClassesGrowing() throws Exception {
    try (ChildJvm app = ChildJvm.start(dir.resolve("app"),
        List.of("-Xmx256m", "-XX:+UseShenandoahGC"), Map.of(), LeakyCacheApp.class.getName(),
        "--leak-mb-per-s", "4", "--garbage-mb-per-s", "10")) {
      AttachIT.awaitOutput(app, "ops/s=");
      TargetProcess target = TargetProcess.of(Path.of("/proc"), (int) app.process.pid(),
          List.of());
      RecordingControl control = RecordingControl.builder().settings(JfrSettings.defaults())
          .build();
      Map<String, ClassHistogram.Row> first = byClass(control.classHistogram(target));
      Thread.sleep(4_000);
      Map<String, ClassHistogram.Row> second = byClass(control.classHistogram(target));

      assertThat(first).containsKeys("byte[]", "java.util.HashMap$Node", "java.lang.Long");
      // the cache's entries: a node and a key per 16 KiB array, about 256 a second
      assertThat(second.get("java.util.HashMap$Node").instances())
          .isGreaterThan(first.get("java.util.HashMap$Node").instances() + 500);
      assertThat(second.get("java.lang.Long").bytes())
          .isGreaterThan(first.get("java.lang.Long").bytes());
      List<ClassHistogram.Row> kept = ClassHistogram.select(List.copyOf(second.values()), 8, 8);
      assertThat(kept).hasSizeLessThanOrEqualTo(16)
          .extracting(ClassHistogram.Row::className).contains("byte[]");
    }
  }

  private static Map<String, ClassHistogram.Row> byClass(List<ClassHistogram.Row> rows) {
    assertThat(rows).isNotEmpty();
    Map<String, ClassHistogram.Row> m = new java.util.HashMap<>();
    rows.forEach(r -> m.merge(r.className(), r, (a, b) -> a)); // a class of two loaders: first
    return m;
  }
}
