package io.memfleet.collector.node.go;

import io.memfleet.collector.node.internal.ListeningSockets;
import io.memfleet.collector.node.internal.TrackedProcessListener;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds Go programs that serve {@code expvar} or {@code net/http/pprof} among the processes the
 * scan tracks, so they are scraped without {@code --go-target}.
 *
 * <pre>{@code
 * GoProgramDiscovery discovery = new GoProgramDiscovery(procRoot, Duration.ofSeconds(30),
 *     Duration.ofMillis(300));
 * // scan thread: the ProcessScanner calls started()/exited() (a TrackedProcessListener)
 * // Go thread, every interval:
 * discovery.discover(scraper);
 * scraper.scrapeAll();
 * }</pre>
 *
 * <p>How: a tracked process whose identity says GO (the collector core recognises Go binaries by
 * the ELF {@code .go.buildinfo} section of {@code /proc/PID/exe}) has its listening TCP sockets
 * listed ({@link ListeningSockets}); each one is probed once with {@code GET /debug/vars}
 * (answer: JSON with {@code memstats}) and {@code GET /debug/pprof/} (answer: the pprof index) on
 * loopback — a wildcard bind is reached at 127.0.0.1, a loopback bind at its address; a program
 * bound to one non-loopback address only, or living in another network namespace (a container
 * with its own network), is not probed (give it with {@code --go-target}). What answered becomes
 * a target of the {@link GoRuntimeScraper}; ports that answered something else are remembered and
 * not probed again. A port that gave no HTTP answer (refused, reset, not HTTP, or slower than
 * {@code probeTimeout}: a program just started on a busy node may listen before it serves) is
 * probed again at the next listings, up to {@value #MAX_PROBES_PER_PORT} times. Each process's sockets are listed again every {@code relistInterval} for ports
 * opened since. A process an explicit target already scrapes is left alone.
 *
 * <p>Cost, bounded: listing is one read of two net tables and the fd links of Go processes only,
 * once per {@code relistInterval} each; probing happens once per new port, with
 * {@code probeTimeout}, and at most {@value #ROUND_BUDGET_MS} ms of probing per round (the rest
 * waits for the next round), so the Go scrapes it shares a thread with are never held up long.
 *
 * <p>Threading: {@link #started}/{@link #exited} come from the scan thread and only enqueue;
 * {@link #discover} runs on the Go scraper's thread.
 */
public final class GoProgramDiscovery implements TrackedProcessListener {
  private static final Logger LOG = LoggerFactory.getLogger(GoProgramDiscovery.class);
  static final long ROUND_BUDGET_MS = 1000;
  /** Ports per process at most probed (a server with hundreds of listeners is no pprof host). */
  static final int MAX_PORTS_PER_PROCESS = 16;
  /**
   * Probes of a port that never answers before it is given up: with the listings' backoff (1, 2,
   * 4 … s, then every relist interval) about eight minutes of retries — the first half minute
   * after a node's start-up can keep a program too busy to answer in time.
   */
  static final int MAX_PROBES_PER_PORT = 20;

  private final Path procRoot;
  private final Duration relistInterval;
  private final HttpClient http;
  private final Duration probeTimeout;
  private final Duration answerTimeout;
  private final LongSupplier nanoTime;
  private final ConcurrentLinkedQueue<Change> changes = new ConcurrentLinkedQueue<>();
  private final Map<Integer, Candidate> candidates = new LinkedHashMap<>();
  private final AtomicLong probes = new AtomicLong();
  private final AtomicLong found = new AtomicLong();
  private final AtomicLong otherNetworkNamespace = new AtomicLong();
  private String ownNetNs;

  private record Change(int pid, ProcessIdentity identity, boolean started) {}

  private static final class Candidate {
    final ProcessIdentity identity;
    final Set<String> probed = new HashSet<>();
    final Map<String, Integer> unanswered = new HashMap<>();
    long nextListNs;
    int listings;
    boolean checkedNamespace;
    boolean reachable = true;

    Candidate(ProcessIdentity identity, long now) {
      this.identity = identity;
      this.nextListNs = now;
    }
  }

  public GoProgramDiscovery(Path procRoot, Duration relistInterval, Duration probeTimeout) {
    this(procRoot, relistInterval, probeTimeout, probeTimeout);
  }

  /**
   * @param answerTimeout how long the other endpoint of a port that answered one is waited for
   *     (the scrapes' own timeout): the program serves HTTP, it is only slow
   */
  public GoProgramDiscovery(Path procRoot, Duration relistInterval, Duration probeTimeout,
      Duration answerTimeout) {
    this(procRoot, relistInterval, probeTimeout, answerTimeout, System::nanoTime);
  }

  GoProgramDiscovery(Path procRoot, Duration relistInterval, Duration probeTimeout,
      LongSupplier nanoTime) {
    this(procRoot, relistInterval, probeTimeout, probeTimeout, nanoTime);
  }

  GoProgramDiscovery(Path procRoot, Duration relistInterval, Duration probeTimeout,
      Duration answerTimeout, LongSupplier nanoTime) {
    this.procRoot = procRoot;
    this.relistInterval = Objects.requireNonNull(relistInterval);
    this.probeTimeout = probeTimeout;
    this.answerTimeout = Objects.requireNonNull(answerTimeout);
    this.nanoTime = nanoTime;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(probeTimeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public void started(int pid, ProcessIdentity identity) {
    if (identity.getRuntime() == Runtime.GO) {
      changes.add(new Change(pid, identity, true));
    }
  }

  @Override
  public void exited(int pid, ProcessIdentity identity) {
    if (identity.getRuntime() == Runtime.GO) {
      changes.add(new Change(pid, identity, false));
    }
  }

  /** One round: takes in starts and exits, lists and probes what is due. */
  public void discover(GoRuntimeScraper scraper) {
    for (Change c; (c = changes.poll()) != null; ) {
      if (c.started()) {
        candidates.put(c.pid(), new Candidate(c.identity(), nanoTime.getAsLong()));
      } else {
        candidates.remove(c.pid());
        scraper.removeProcess(c.pid());
      }
    }
    long start = nanoTime.getAsLong();
    long budgetEnd = start + ROUND_BUDGET_MS * 1_000_000;
    for (Map.Entry<Integer, Candidate> e : candidates.entrySet()) {
      Candidate c = e.getValue();
      long now = nanoTime.getAsLong();
      if (now - c.nextListNs < 0 || !c.reachable) {
        continue;
      }
      if (now - budgetEnd >= 0) {
        return; // the rest next round
      }
      int pid = e.getKey();
      if (!c.checkedNamespace) {
        c.checkedNamespace = true;
        c.reachable = sameNetworkNamespace(pid);
        if (!c.reachable) {
          otherNetworkNamespace.incrementAndGet();
          continue;
        }
      }
      if (scraper.scrapesPid(pid)) {
        c.nextListNs = now + relistInterval.toNanos();
        continue; // a --go-target already covers it
      }
      boolean done = true;
      for (ListeningSockets.Listener l : ListeningSockets.of(procRoot, pid)) {
        if (!l.wildcard() && !l.loopback()) {
          continue;
        }
        String key = l.probeHost() + ":" + l.port();
        if (c.probed.contains(key)) {
          continue;
        }
        if (c.probed.size() >= MAX_PORTS_PER_PROCESS) {
          break;
        }
        if (nanoTime.getAsLong() - budgetEnd >= 0) {
          done = false;
          break;
        }
        c.probed.add(key);
        if (!probe(scraper, c, URI.create("http://" + key))
            && c.unanswered.merge(key, 1, Integer::sum) < MAX_PROBES_PER_PORT) {
          c.probed.remove(key); // no answer yet: again at the next listing
        }
      }
      // a young process may not listen yet: look again after 1, 2, 4 … s, then every interval
      long wait = Math.min(relistInterval.toNanos(), (1L << Math.min(c.listings++, 20))
          * 1_000_000_000L);
      c.nextListNs = done ? nanoTime.getAsLong() + wait : now;
    }
  }

  /** Probes one port; false when neither endpoint gave an HTTP answer (worth asking again). */
  private boolean probe(GoRuntimeScraper scraper, Candidate c, URI base) {
    if (scraper.scrapesUrl(base)) {
      return true;
    }
    probes.incrementAndGet();
    URI vars = URI.create(base + "/debug/vars");
    URI pprofIndex = URI.create(base + "/debug/pprof/");
    Boolean expvarAnswer = answers(vars, "\"memstats\"", probeTimeout);
    Boolean pprofAnswer = answers(pprofIndex, "goroutine", probeTimeout);
    // a port that answered one endpoint serves HTTP; no answer from the other in time is a slow
    // program (a busy node, and /debug/vars stops the world to read memstats), not an absent
    // endpoint — asked again with the scrapes' timeout, or its heap figures would never be read
    if (expvarAnswer == null && Boolean.TRUE.equals(pprofAnswer)) {
      expvarAnswer = answers(vars, "\"memstats\"", answerTimeout);
    } else if (pprofAnswer == null && Boolean.TRUE.equals(expvarAnswer)) {
      pprofAnswer = answers(pprofIndex, "goroutine", answerTimeout);
    }
    boolean expvar = Boolean.TRUE.equals(expvarAnswer);
    boolean pprof = Boolean.TRUE.equals(pprofAnswer);
    if (!expvar && !pprof) {
      return expvarAnswer != null || pprofAnswer != null;
    }
    String name = c.identity.getComm();
    scraper.addDiscovered(new GoTarget(name, base, java.util.OptionalInt.of(
        c.identity.getPid())), c.identity, expvar, pprof);
    found.incrementAndGet();
    LOG.info("Go program {} (pid {}) serves {}{} at {}", c.identity.getComm(),
        c.identity.getPid(), expvar ? "expvar" : "", expvar && pprof ? " and pprof" : pprof
            ? "pprof" : "", base);
    return true;
  }

  /** Whether {@code uri} answers 200 with {@code marker}; null when it gave no HTTP answer. */
  private Boolean answers(URI uri, String marker, Duration timeout) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains(marker);
    } catch (IOException | RuntimeException e) {
      return null; // refused, reset, not HTTP, or too slow
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private boolean sameNetworkNamespace(int pid) {
    try {
      if (ownNetNs == null) {
        ownNetNs = Files.readSymbolicLink(procRoot.resolve("self/ns/net")).toString();
      }
      return ownNetNs.equals(
          Files.readSymbolicLink(procRoot.resolve(pid + "/ns/net")).toString());
    } catch (IOException | UnsupportedOperationException e) {
      return true; // cannot tell (no ns links, e.g. a captured tree): try loopback anyway
    }
  }

  /** Go processes tracked as candidates now. */
  public int candidates() {
    return candidates.size();
  }

  /** HTTP probes of new ports so far. */
  public long probes() {
    return probes.get();
  }

  /** Go programs found serving expvar or pprof so far. */
  public long found() {
    return found.get();
  }

  /** Go processes not probed because they live in another network namespace. */
  public long otherNetworkNamespace() {
    return otherNetworkNamespace.get();
  }
}
