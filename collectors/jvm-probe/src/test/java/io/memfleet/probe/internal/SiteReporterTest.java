package io.memfleet.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SiteReporterTest {
  private static final List<String> STACK = List.of("java.nio.ByteBuffer.allocateDirect:332");

  private final SampleLedger ledger = new SampleLedger(16);
  private final List<SiteReading> committed = new ArrayList<>();
  private long now;
  private final SiteReporter reporter = new SiteReporter(ledger, Duration.ofSeconds(2),
      () -> now, committed::add);

  @Test
  void reportsOncePerPeriodHoweverOftenJfrAsks() {
    Object kept = new Object();
    ledger.record(kept, CapturedStack.described(STACK), 64);

    for (int second = 0; second <= 6; second++) { // JFR asking every second
      now = Duration.ofSeconds(second).toNanos();
      reporter.run();
    }

    assertThat(committed).hasSize(4); // at 0, 2, 4 and 6 s
  }

  @Test
  void aPollThatComesALittleEarlyStillReports() {
    Object kept = new Object();
    ledger.record(kept, CapturedStack.described(STACK), 64);
    reporter.run();
    now = Duration.ofMillis(1_990).toNanos();
    reporter.run();

    assertThat(committed).hasSize(2);
  }

  @Test
  void pollsBetweenReportsStillDrainCollectedBuffers() {
    ledger.record(new Object(), CapturedStack.described(STACK), 64).enqueue();
    reporter.run();
    committed.clear();
    ledger.record(new Object(), CapturedStack.described(STACK), 64).enqueue();
    now = Duration.ofSeconds(1).toNanos();
    reporter.run();

    assertThat(ledger.drain()).isZero();
    assertThat(committed).isEmpty();
  }

  @Test
  void aFailingSinkDoesNotEscape() {
    Object kept = new Object();
    ledger.record(kept, CapturedStack.described(STACK), 64);
    SiteReporter failing = new SiteReporter(ledger, Duration.ofSeconds(2), () -> now,
        reading -> {
          throw new IllegalStateException("JFR gone");
        });

    failing.run();
  }
}
