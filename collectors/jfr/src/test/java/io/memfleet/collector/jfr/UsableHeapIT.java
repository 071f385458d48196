package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.jfr.testing.MaxMemoryApp;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What memfleet's recording says a JVM can fill of its heap, against what the JVM itself says
 * ({@code Runtime.maxMemory()}), on real JVMs recorded with memfleet's settings: a Serial heap
 * keeps one survivor space empty, at the default and at another {@code SurvivorRatio}; G1 can fill
 * its whole maximum, so no usable figure is given beside it.
 */
class UsableHeapIT {
  private static final Pattern MAX_MEMORY = Pattern.compile("maxMemory=(\\d+)");

  @TempDir Path dir;

  @Test
  void aSerialHeapCanFillItsMaximumLessOneSurvivorSpaceAsTheJvmSays() throws Exception {
    Recorded r = record("serial", "-XX:+UseSerialGC", "-Xmx96m");
    assertThat(r.summaries()).isNotEmpty().allSatisfy(s -> {
      assertThat(s.getMaxBytes()).isEqualTo(96L << 20);
      assertThat(s.getUsableMaxBytes()).isEqualTo(r.maxMemory());
    });
    assertThat(r.maxMemory()).isLessThan(96L << 20);
  }

  @Test
  void anotherSurvivorRatioChangesWhatASerialHeapCanFill() throws Exception {
    Recorded r = record("serial-ratio", "-XX:+UseSerialGC", "-Xmx96m", "-XX:SurvivorRatio=3");
    assertThat(r.summaries()).isNotEmpty()
        .allSatisfy(s -> assertThat(s.getUsableMaxBytes()).isEqualTo(r.maxMemory()));
  }

  @Test
  void aG1HeapHasNoUsableFigureBesideItsMaximum() throws Exception {
    Recorded r = record("g1", "-XX:+UseG1GC", "-Xmx96m");
    assertThat(r.maxMemory()).isEqualTo(96L << 20);
    assertThat(r.summaries()).isNotEmpty().allSatisfy(s -> {
      assertThat(s.getMaxBytes()).isEqualTo(96L << 20);
      assertThat(s.getUsableMaxBytes()).isNull();
    });
  }

  /** What the fixture printed and the heap summaries of its recording, mapped by memfleet. */
  private record Recorded(long maxMemory, List<HeapSummary> summaries) {}

  private Recorded record(String name, String... gcFlags) throws Exception {
    Path work = dir.resolve(name);
    Files.createDirectories(work);
    Path jfc = work.resolve("memfleet.jfc");
    Files.writeString(jfc, JfrSettings.defaults().toJfc());
    Path file = work.resolve("recording.jfr");
    List<String> flags = new ArrayList<>(List.of(gcFlags));
    flags.add("-XX:StartFlightRecording=settings=" + jfc + ",filename=" + file
        + ",dumponexit=true");
    String out;
    try (ChildJvm app = ChildJvm.start(work, flags, Map.of(), MaxMemoryApp.class.getName())) {
      assertThat(app.process.waitFor(60, TimeUnit.SECONDS)).as("fixture exited").isTrue();
      out = app.stdout();
      assertThat(app.process.exitValue()).as(app.stderr()).isZero();
    }
    Matcher m = MAX_MEMORY.matcher(out);
    assertThat(m.find()).as(out).isTrue();
    ProcessIdentity process = ProcessIdentity.newBuilder().setCluster("it").setNode("node-1")
        .setBootId("boot").setPid(1).setProcessStartTimeMs(1L).setComm("java")
        .setRuntime(Runtime.JVM).setLabels(Map.of()).build();
    JfrEventMapper mapper = new JfrEventMapper(process, new EventHeaders("it"), 8);
    List<RecordedEvent> events = new ArrayList<>(RecordingFile.readAllEvents(file));
    events.sort(Comparator.comparing(RecordedEvent::getStartTime));
    List<HeapSummary> summaries = new ArrayList<>();
    Set<String> configuration = new HashSet<>(List.of("jdk.GCConfiguration",
        "jdk.YoungGenerationConfiguration", "jdk.UnsignedLongFlag"));
    for (RecordedEvent e : events) {
      // summaries before the chunk-start configuration events cannot know the usable part
      configuration.remove(e.getEventType().getName());
      for (Object r : mapper.map(e)) {
        if (configuration.isEmpty() && r instanceof HeapSummary s) {
          summaries.add(s);
        }
      }
    }
    return new Recorded(Long.parseLong(m.group(1)), summaries);
  }
}
