package io.memfleet.probe.internal;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * JFR's periodic hook for {@code DirectBufferSite}: each time JFR asks, takes collected buffers
 * off their sites; once per {@code period}, hands every site worth reporting to the sink (which
 * commits the events). JFR asks on its own schedule (the event's period setting), which may be
 * shorter than the probe's period, so the reporter keeps its own.
 */
final class SiteReporter implements Runnable {
  /** JFR's periodic thread may run a little early; a report this much early still counts. */
  private static final long MAX_EARLY_NANOS = Duration.ofMillis(500).toNanos();

  private final SampleLedger ledger;
  private final long periodNanos;
  private final LongSupplier nanoClock;
  private final Consumer<SiteReading> sink;
  private boolean reportedOnce;
  private long lastReportNanos;

  SiteReporter(SampleLedger ledger, Duration period, LongSupplier nanoClock,
      Consumer<SiteReading> sink) {
    this.ledger = ledger;
    this.periodNanos = period.toNanos();
    this.nanoClock = nanoClock;
    this.sink = sink;
  }

  @Override
  public void run() {
    try {
      long now = nanoClock.getAsLong();
      long early = Math.min(MAX_EARLY_NANOS, periodNanos / 4);
      if (reportedOnce && now - lastReportNanos < periodNanos - early) {
        ledger.drain();
        return;
      }
      reportedOnce = true;
      lastReportNanos = now;
      for (SiteReading reading : ledger.report()) {
        sink.accept(reading);
      }
    } catch (Throwable t) {
      ProbeLog.once("report", "direct buffer sites not reported", t);
    }
  }
}
