package io.memfleet.collector.node.go;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.internal.ProcessFinder;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.GcCycle;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following real files and a real named pipe; the traced pid is this JVM's for identity. */
class GcTraceFollowerTest {
  private static final String LINE = "gc %d @%d.5s 1%%: 0.01+0.2+0.003 ms clock, "
      + "0.02+0/0.1/0.2+0.006 ms cpu, 4->4->2 MB, 5 MB goal, 0 MB stacks, 0 MB globals, 2 P\n";
  @TempDir Path dir;
  private final RecordingEventSink sink = new RecordingEventSink();

  private GcTraceFollower follower(Path file) {
    int self = (int) ProcessHandle.current().pid();
    return new GcTraceFollower(new GcTraceSource(file, OptionalInt.of(self)),
        ProcessIdentities.builder().build(), new ProcessFinder(Path.of("/proc")),
        new EventHeaders("test"), sink, Duration.ofMillis(20));
  }

  private static String line(int gc) {
    return String.format(LINE, gc, gc);
  }

  @Test
  void followsGrowthPartialLinesAndTruncation() throws Exception {
    Path log = dir.resolve("app.log");
    Files.writeString(log, line(1) + "hello\n" + line(2).substring(0, 20));
    try (GcTraceFollower f = follower(log)) {
      f.start();
      await(() -> sink.eventsOf(GcCycle.class).size() == 1);
      Files.writeString(log, line(2).substring(20) + "gc 3 @broken\n", StandardOpenOption.APPEND);
      await(() -> sink.eventsOf(GcCycle.class).size() == 2);
      await(() -> f.parser().malformedLines() == 1);
      // truncated and rewritten, as a log rotation with copytruncate does
      Files.writeString(log, line(1));
      await(() -> sink.eventsOf(GcCycle.class).size() == 3);
      assertThat(sink.eventsOf(GcCycle.class)).extracting(GcCycle::getGcId)
          .containsExactly(1L, 2L, 1L);
      assertThat(f.parser().skippedLines()).isEqualTo(1);
      // the half-written line waited for its newline instead of counting as malformed
      assertThat(f.parser().malformedLines()).isEqualTo(1);
    }
  }

  @Test
  void readsANamedPipe() throws Exception {
    Path fifo = dir.resolve("trace.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    try (GcTraceFollower f = follower(fifo)) {
      f.start();
      try (OutputStream out = Files.newOutputStream(fifo)) {
        out.write((line(7) + line(8)).getBytes(StandardCharsets.UTF_8));
      }
      await(() -> sink.eventsOf(GcCycle.class).size() == 2);
      assertThat(f.publishedEvents()).isEqualTo(6);
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(20);
    }
  }
}
