package io.memfleet.collector.ebpf.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.ebpf.stack.Stacks;
import io.memfleet.collector.testing.RecordingEventSink;
import io.memfleet.event.PageFault;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.StackTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fault samples summed per process and stack per window; the window's event count bounded. */
class PageFaultWindowTest {
  private final RecordingEventSink sink = new RecordingEventSink();
  private final EventHeaders headers = new EventHeaders("ebpf/test");

  static ProcessIdentity process(int pid, long startMs) {
    return ProcessIdentity.newBuilder().setCluster("c").setNode("n").setBootId("b").setPid(pid)
        .setProcessStartTimeMs(startMs).setComm("p" + pid)
        .setRuntime(io.memfleet.event.Runtime.NATIVE).setLabels(Map.of()).build();
  }

  static StackTrace stack(String... frames) {
    return StackTrace.newBuilder().setHash(Stacks.hash(List.of(frames)))
        .setFrames(new ArrayList<>(List.of(frames))).setTruncated(false).build();
  }

  @Test
  void samplesOfOneProcessAndStackBecomeOneEventWithTheirCount() {
    PageFaultWindow w = new PageFaultWindow(sink, headers, 10, 100);
    ProcessIdentity a = process(1, 10);
    ProcessIdentity reused = process(1, 20); // same pid, another process
    StackTrace leak = stack("leak_request_buffer", "handle", "main");
    StackTrace other = stack("memset", "init", "main");
    w.add(a, leak, false, 100, 5_000);
    w.add(a, leak, false, 100, 6_000);
    w.add(a, leak, true, 1, 6_500);
    w.add(a, other, false, 100, 7_000);
    w.add(reused, leak, false, 100, 8_000);
    w.add(a, null, false, 100, 9_000);
    assertThat(sink.eventsOf(PageFault.class)).isEmpty();
    w.flush();
    List<PageFault> events = sink.eventsOf(PageFault.class);
    assertThat(events).hasSize(5);
    PageFault first = events.get(0);
    assertThat(first.getCount()).isEqualTo(200);
    assertThat(first.getStack()).isEqualTo(leak);
    assertThat(first.getMajor()).isFalse();
    assertThat(first.getHeader().getRawTimestamp()).isEqualTo(5_000);
    assertThat(first.getHeader().getProcess().getProcessStartTimeMs()).isEqualTo(10);
    assertThat(events).filteredOn(PageFault::getMajor).singleElement()
        .satisfies(e -> assertThat(e.getCount()).isEqualTo(1));
    assertThat(events.stream().mapToLong(PageFault::getCount).sum()).isEqualTo(501);
    assertThat(w.samples()).isEqualTo(6);
    assertThat(w.published()).isEqualTo(5);
    sink.clear();
    w.flush();
    assertThat(sink.eventsOf(PageFault.class)).as("a new window starts empty").isEmpty();
  }

  @Test
  void beyondTheBoundTheSmallestSumsAreDroppedAndCounted() {
    PageFaultWindow w = new PageFaultWindow(sink, headers, 3, 5);
    for (int pid = 1; pid <= 7; pid++) {
      for (int i = 0; i < pid; i++) {
        w.add(process(pid, 1), stack("f"), false, 10, pid);
      }
    }
    w.flush();
    // pids 6 and 7 found the table (5 pairs) full; of pids 1-5 the three largest are published
    assertThat(sink.eventsOf(PageFault.class)).extracting(PageFault::getCount)
        .containsExactly(50L, 40L, 30L);
    assertThat(w.droppedEvents()).isEqualTo(2 + 6 + 7);
    assertThat(w.droppedFaults()).isEqualTo(10 + 20 + 60 + 70);
  }

  @Test
  void mappingBudgetPerSecondInTotalAndPerProcess() {
    EventBudget budget = new EventBudget(5, 2);
    long t = 1_000_000_000L;
    assertThat(budget.allow(1, t)).isTrue();
    assertThat(budget.allow(1, t + 1)).isTrue();
    assertThat(budget.allow(1, t + 2)).as("process 1 spent its 2").isFalse();
    assertThat(budget.allow(2, t + 3)).isTrue();
    assertThat(budget.allow(2, t + 4)).isTrue();
    assertThat(budget.allow(3, t + 5)).isTrue();
    assertThat(budget.allow(4, t + 6)).as("5 in total").isFalse();
    assertThat(budget.allow(1, t + 1_000_000_000L)).as("the next second").isTrue();
    assertThat(budget.denied()).isEqualTo(2);
  }
}
