package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeptFramesTest {
  private static List<String> jdk(int n) {
    List<String> frames = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      frames.add("java.lang.StringUTF16.frame" + i + ":" + i);
    }
    return frames;
  }

  @Test
  void aStackWithItsProgramFrameWithinTheDepthKeepsItsTopFrames() {
    List<String> all = new ArrayList<>(jdk(3));
    all.addAll(List.of("app.ReportRow.<init>:12", "app.Report.add:40", "app.Main.main:9"));
    assertThat(JfrEventMapper.keptFrames(all, 4)).containsExactly(
        "java.lang.StringUTF16.frame0:0", "java.lang.StringUTF16.frame1:1",
        "java.lang.StringUTF16.frame2:2", "app.ReportRow.<init>:12");
    assertThat(JfrEventMapper.keptFrames(all, 8)).isEqualTo(all);
  }

  @Test
  void jdkFramesBeyondTheDepthMakeWayForTheProgramsFirstFrames() {
    List<String> all = new ArrayList<>(jdk(11));
    all.addAll(List.of("app.ReportRow.<init>:12", "app.Report.add:40", "app.Main.main:9"));
    assertThat(JfrEventMapper.keptFrames(all, 4)).containsExactly(
        "java.lang.StringUTF16.frame0:0", "java.lang.StringUTF16.frame1:1",
        "app.ReportRow.<init>:12", "app.Report.add:40");
    assertThat(JfrEventMapper.keptFrames(all, 8)).hasSize(5)
        .endsWith("app.ReportRow.<init>:12", "app.Report.add:40", "app.Main.main:9");
  }

  @Test
  void aStackOfJdkFramesOnlyKeepsItsTopFrames() {
    List<String> all = jdk(12);
    assertThat(JfrEventMapper.keptFrames(all, 8)).isEqualTo(all.subList(0, 8));
  }
}
