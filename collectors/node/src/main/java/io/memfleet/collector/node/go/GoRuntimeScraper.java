package io.memfleet.collector.node.go;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.internal.ProcessFinder;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapPhase;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import io.memfleet.event.ThreadCount;
import io.memfleet.event.ThreadKind;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scrapes Go programs' {@code expvar} and goroutine pages and publishes {@link HeapSummary}
 * (periodic), {@link GcPause} (one per cycle completed since the previous scrape, from the
 * memstats pause buffer) and {@link ThreadCount} (goroutines), all stamped REALTIME.
 *
 * <pre>{@code
 * GoRuntimeScraper scraper = new GoRuntimeScraper(targets, identities, finder, headers, sink,
 *     Duration.ofSeconds(2));
 * scraper.scrapeAll();   // e.g. once per second from the collector's scheduler
 * }</pre>
 *
 * <p>A target that does not answer is counted in {@link #failures()} and retried at the next
 * scrape; when it answers again after a restart (pid or start time changed, NumGC went back) its
 * identity is resolved anew. Not thread-safe: call {@link #scrapeAll()} from one thread.
 */
public final class GoRuntimeScraper {
  private static final Logger LOG = LoggerFactory.getLogger(GoRuntimeScraper.class);
  /** Phase name of a pause read from memstats: the cycle's two STW pauses summed. */
  public static final String MEMSTATS_PAUSE_PHASE = "stop-the-world total (memstats)";

  private final List<TargetState> targets = new ArrayList<>();
  private final ProcessIdentities identities;
  private final ProcessFinder finder;
  private final EventHeaders headers;
  private final EventSink sink;
  private final Duration timeout;
  private final HttpClient http;
  private final AtomicLong scrapes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  private static final class TargetState {
    final GoTarget target;
    ProcessIdentity identity;
    long lastNumGc = -1;
    boolean failing;

    TargetState(GoTarget target) {
      this.target = target;
    }
  }

  public GoRuntimeScraper(List<GoTarget> targets, ProcessIdentities identities,
      ProcessFinder finder, EventHeaders headers, EventSink sink, Duration timeout) {
    targets.forEach(t -> this.targets.add(new TargetState(t)));
    this.identities = identities;
    this.finder = finder;
    this.headers = headers;
    this.sink = sink;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** Scrapes every target once. */
  public void scrapeAll() {
    for (TargetState t : targets) {
      scrapes.incrementAndGet();
      try {
        scrape(t);
        t.failing = false;
      } catch (IOException | IllegalArgumentException e) {
        failures.incrementAndGet();
        if (!t.failing) {
          LOG.warn("Go target {} ({}) failed: {}", t.target.name(), t.target.baseUrl(),
              e.toString());
        }
        t.failing = true;
        t.identity = null; // it may come back as a new process
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void scrape(TargetState t) throws IOException, InterruptedException {
    String vars = get(t.target.varsUrl());
    long nowNs = epochNanos();
    ExpvarMemStats m = ExpvarMemStats.parse(vars);
    if (t.identity == null || m.numGc() < t.lastNumGc) {
      t.identity = resolve(t.target);
      t.lastNumGc = m.numGc(); // baseline: pauses before the first scrape are history
    }
    ProcessIdentity p = t.identity;
    sink.publish(HeapSummary.newBuilder()
        .setHeader(headers.next(p, Source.GO_EXPVAR, ClockDomain.REALTIME, nowNs))
        .setPhase(HeapPhase.PERIODIC)
        .setGcId(null)
        .setUsedBytes(m.heapAlloc())
        .setCommittedBytes(m.heapSys())
        .setNextGcBytes(m.nextGc())
        .setObjects(m.heapObjects())
        .build());
    for (ExpvarMemStats.Pause pause : m.pausesAfter(t.lastNumGc)) {
      sink.publish(GcPause.newBuilder()
          .setHeader(headers.next(p, Source.GO_EXPVAR, ClockDomain.REALTIME,
              pause.startEpochNs()))
          .setGcId(pause.gcNumber())
          .setPhase(MEMSTATS_PAUSE_PHASE)
          .setDurationNs(pause.durationNs())
          .build());
    }
    t.lastNumGc = m.numGc();
    OptionalLong goroutines = OptionalLong.empty();
    try {
      goroutines = GoroutineProfile.total(get(t.target.goroutinesUrl()));
    } catch (IOException e) {
      // pprof not mounted: memstats alone are still worth publishing
      LOG.debug("no goroutine profile at {}: {}", t.target.goroutinesUrl(), e.toString());
    }
    if (goroutines.isPresent()) {
      sink.publish(ThreadCount.newBuilder()
          .setHeader(headers.next(p, Source.GO_EXPVAR, ClockDomain.REALTIME, epochNanos()))
          .setKind(ThreadKind.GOROUTINES)
          .setCount(goroutines.getAsLong())
          .build());
    }
  }

  private ProcessIdentity resolve(GoTarget target) throws IOException {
    OptionalInt pid = target.pid().isPresent() ? target.pid() : finder.listeningOn(target.port());
    if (pid.isEmpty()) {
      throw new IOException("no process listens on port " + target.port()
          + " (give the pid: NAME=URL,pid=PID)");
    }
    ProcessIdentity id = identities.forPid(pid.getAsInt());
    return ProcessIdentity.newBuilder(id).setRuntime(Runtime.GO)
        .setService(id.getService() != null ? id.getService() : target.name())
        .build();
  }

  private String get(java.net.URI uri) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(
        HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + " from " + uri);
    }
    return r.body();
  }

  static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  public long scrapes() {
    return scrapes.get();
  }

  public long failures() {
    return failures.get();
  }
}
