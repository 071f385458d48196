package io.memfleet.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleLedgerTest {
  private static final List<String> LEAK = List.of(
      "java.nio.ByteBuffer.allocateDirect:332", "com.example.Gateway.keepConnectionBuffer:71");
  private static final List<String> CHURN = List.of(
      "java.nio.ByteBuffer.allocateDirect:332", "com.example.Gateway.readScratch:78");

  @Test
  void outstandingBytesGoDownWhenSampledBuffersAreCollected() {
    SampleLedger ledger = new SampleLedger(16);
    Object kept = new Object();
    ledger.record(kept, CapturedStack.described(LEAK), 300);
    SampledBuffer first = ledger.record(new Object(), CapturedStack.described(CHURN), 100);
    SampledBuffer second = ledger.record(new Object(), CapturedStack.described(CHURN), 200);

    first.enqueue(); // what the collector does when the buffer becomes unreachable
    assertThat(ledger.report()).containsExactlyInAnyOrder(
        new SiteReading(String.join("\n", LEAK), 300, 300, 1),
        new SiteReading(String.join("\n", CHURN), 200, 300, 1));

    second.enqueue();
    assertThat(ledger.report())
        .containsExactly(new SiteReading(String.join("\n", LEAK), 300, 300, 1));
  }

  @Test
  void theCollectorClearingABufferTakesItOffItsSite() throws InterruptedException {
    SampleLedger ledger = new SampleLedger(16);
    ledger.record(new byte[1024], CapturedStack.described(CHURN), 1024);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    int drained = 0;
    while (drained == 0 && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
      drained = ledger.drain();
    }
    assertThat(drained).isEqualTo(1);
    assertThat(ledger.report())
        .containsExactly(new SiteReading(String.join("\n", CHURN), 0, 1024, 0));
  }

  @Test
  void stacksBeyondMaxSitesCountAsOneOtherSite() {
    SampleLedger ledger = new SampleLedger(2);
    List<Object> buffers = new ArrayList<>();
    for (int site = 0; site < 5; site++) {
      Object buffer = new Object();
      buffers.add(buffer);
      ledger.record(buffer, CapturedStack.described(
          List.of("java.nio.ByteBuffer.allocateDirect:332", "App.site" + site + ":1")), 10);
    }

    assertThat(ledger.siteCount()).isEqualTo(2);
    assertThat(ledger.report()).hasSize(3)
        .contains(new SiteReading(SampleLedger.OTHER_FRAME, 30, 30, 3));
    assertThat(buffers).hasSize(5);
  }

  @Test
  void aSiteIsReportedWhileItHoldsBytesOrAllocated() {
    SampleLedger ledger = new SampleLedger(16);
    SampledBuffer churn = ledger.record(new Object(), CapturedStack.described(CHURN), 100);
    churn.enqueue();

    assertThat(ledger.report()).hasSize(1); // allocated since the last report, nothing held
    assertThat(ledger.report()).isEmpty(); // nothing held, nothing new
  }

  @Test
  void aQuietSiteIsRetiredAndItsPlaceReused() {
    SampleLedger ledger = new SampleLedger(1);
    ledger.record(new Object(), CapturedStack.described(CHURN), 100).enqueue();
    ledger.report();
    for (int i = 0; i < SampleLedger.QUIET_REPORTS_BEFORE_RETIRING; i++) {
      assertThat(ledger.siteCount()).isEqualTo(1);
      ledger.report();
    }
    assertThat(ledger.siteCount()).isZero();

    Object kept = new Object();
    ledger.record(kept, CapturedStack.described(LEAK), 50);
    assertThat(ledger.report())
        .containsExactly(new SiteReading(String.join("\n", LEAK), 50, 50, 1));
  }

  @Test
  void concurrentSamplesAddUp() throws InterruptedException {
    SampleLedger ledger = new SampleLedger(1024);
    List<Object> kept = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(new Thread(() -> {
        for (int i = 0; i < 10_000; i++) {
          Object buffer = new Object();
          kept.add(buffer);
          ledger.record(buffer, CapturedStack.described(i % 2 == 0 ? LEAK : CHURN), 3);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(ledger.report()).extracting(SiteReading::outstandingBytes)
        .containsExactly(60_000L, 60_000L);
  }
}
