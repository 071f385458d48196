package io.memfleet.collector.node.go;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.node.internal.ProcessFinder;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.Source;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one {@link GcTraceSource} on its own thread and publishes {@code GcCycle} and
 * {@code GcPause} events for every gctrace line (see {@link GcTraceEvents}).
 *
 * <p>A regular file is read from its start and then followed as it grows, like
 * {@code tail -F}: when it shrinks (truncated) or is replaced (rotated) it is reopened from the
 * start. A named pipe or standard input is read as a stream; a pipe is reopened when its writer
 * closes it. A partly written last line waits for its newline. Malformed lines are counted by
 * the {@link #parser()} and logged (the first few), never fatal. When the process behind the
 * trace cannot be found, parsed lines are counted in {@link #unattributedLines()}.
 *
 * <pre>{@code
 * GcTraceFollower f = new GcTraceFollower(GcTraceSource.parse("/tmp/app.log:4242"),
 *     identities, finder, headers, sink, Duration.ofMillis(200));
 * f.start();
 * ...
 * f.close();
 * }</pre>
 */
public final class GcTraceFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GcTraceFollower.class);
  private static final int MAX_LINE = 64 * 1024;
  private static final int LOGGED_MALFORMED = 5;
  /** Finding the writer scans every process's fds: at most once a second while unknown. */
  private static final long RESOLVE_EVERY_NS = 1_000_000_000L;

  private final GcTraceSource source;
  private final ProcessIdentities identities;
  private final ProcessFinder finder;
  private final EventHeaders headers;
  private final EventSink sink;
  private final Duration poll;
  private final GcTraceParser parser = new GcTraceParser();
  private final AtomicLong unattributed = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final Thread thread;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private volatile boolean running = true;
  /** Written by the follower thread, read by the Go scraper ({@link #covers}). */
  private volatile ProcessIdentity identity;
  private long lastGc;
  private long lastResolveNs = System.nanoTime() - RESOLVE_EVERY_NS;

  public GcTraceFollower(GcTraceSource source, ProcessIdentities identities,
      ProcessFinder finder, EventHeaders headers, EventSink sink, Duration poll) {
    this.source = source;
    this.identities = identities;
    this.finder = finder;
    this.headers = headers;
    this.sink = sink;
    this.poll = poll;
    this.thread = new Thread(this::run, "memfleet-gctrace-" + source.file().getFileName());
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  public GcTraceSource source() {
    return source;
  }

  /** The parser, whose counters say how many lines parsed, were malformed or skipped. */
  public GcTraceParser parser() {
    return parser;
  }

  /** Parsed lines dropped because the traced process could not be identified. */
  public long unattributedLines() {
    return unattributed.get();
  }

  /**
   * True when this follower reports the GC cycles of {@code process} (same pid and start time),
   * so no other source should report them again.
   */
  public boolean covers(ProcessIdentity process) {
    ProcessIdentity p = identity;
    return p != null && p.getPid() == process.getPid()
        && p.getProcessStartTimeMs() == process.getProcessStartTimeMs();
  }

  /** Events published. */
  public long publishedEvents() {
    return published.get();
  }

  private void run() {
    // resolve before the first line: until then the expvar scraper would report this process's
    // GC pauses too (see covers())
    lastResolveNs = System.nanoTime();
    identity = resolve();
    try {
      if (source.stdin()) {
        readStream(System.in);
        return;
      }
      while (running) {
        try {
          if (Files.exists(source.file()) && !Files.isRegularFile(source.file())) {
            try (InputStream in = Files.newInputStream(source.file())) {
              readStream(in); // a FIFO: blocks until a writer opens it, EOF when it closes
            }
          } else {
            followFile();
          }
        } catch (NoSuchFileException e) {
          sleep();
        } catch (IOException e) {
          LOG.warn("reading gctrace {} failed, retrying: {}", source.file(), e.toString());
          sleep();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.warn("gctrace stream {} ended: {}", source.file(), e.toString());
    }
  }

  private void followFile() throws IOException, InterruptedException {
    try (FileChannel ch = FileChannel.open(source.file(), StandardOpenOption.READ)) {
      Object key = Files.readAttributes(source.file(),
          java.nio.file.attribute.BasicFileAttributes.class).fileKey();
      ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
      partial.reset();
      while (running) {
        buf.clear();
        int n = ch.read(buf);
        if (n > 0) {
          accept(buf.array(), n);
          continue;
        }
        // at the end: rotated or truncated?
        try {
          Object now = Files.readAttributes(source.file(),
              java.nio.file.attribute.BasicFileAttributes.class).fileKey();
          if (key != null && !key.equals(now) || Files.size(source.file()) < ch.position()) {
            return; // reopen from the start
          }
        } catch (NoSuchFileException e) {
          return; // rotated away, the new file is not there yet
        }
        sleep();
      }
    }
  }

  private void readStream(InputStream in) throws IOException {
    byte[] buf = new byte[16 * 1024];
    partial.reset();
    int n;
    while (running && (n = in.read(buf)) >= 0) {
      accept(buf, n);
    }
  }

  private void accept(byte[] bytes, int n) {
    int start = 0;
    for (int i = 0; i < n; i++) {
      if (bytes[i] == '\n') {
        partial.write(bytes, start, i - start);
        line(partial.toString(StandardCharsets.UTF_8));
        partial.reset();
        start = i + 1;
      }
    }
    partial.write(bytes, start, n - start);
    if (partial.size() > MAX_LINE) {
      // no newline in 64 KiB: not a trace line, keep memory bounded
      line(partial.toString(StandardCharsets.UTF_8));
      partial.reset();
    }
  }

  private void line(String text) {
    GcTraceParser.Result r = parser.parse(text.endsWith("\r") ? text.strip() : text);
    if (r instanceof GcTraceParser.Malformed m) {
      if (parser.malformedLines() <= LOGGED_MALFORMED) {
        LOG.warn("malformed gctrace line in {} (counted, not published): {}", source.file(),
            m.text().length() > 200 ? m.text().substring(0, 200) + "…" : m.text());
      }
      return;
    }
    if (!(r instanceof GcTraceParser.Parsed parsed)) {
      return;
    }
    GcTraceLine gc = parsed.line();
    // GC numbers going back mean the program restarted: a new process, a new identity
    boolean restarted = identity != null && gc.gcNumber() <= lastGc;
    long now = System.nanoTime();
    if (restarted || identity == null && now - lastResolveNs >= RESOLVE_EVERY_NS) {
      lastResolveNs = now;
      identity = resolve();
    }
    lastGc = gc.gcNumber();
    if (identity == null) {
      unattributed.incrementAndGet();
      return;
    }
    ProcessIdentity p = identity;
    for (var event : GcTraceEvents.toEvents(gc, raw ->
        headers.next(p, Source.GO_GCTRACE, ClockDomain.GO_PROCESS_RELATIVE, raw))) {
      sink.publish(event);
      published.incrementAndGet();
    }
  }

  private ProcessIdentity resolve() {
    OptionalInt pid = source.pid().isPresent() ? source.pid() : finder.holding(source.file());
    if (pid.isEmpty()) {
      return null;
    }
    try {
      ProcessIdentity id = identities.forPid(pid.getAsInt());
      return ProcessIdentity.newBuilder(id).setRuntime(Runtime.GO).build();
    } catch (IOException e) {
      LOG.warn("gctrace {}: process {} not readable: {}", source.file(), pid.getAsInt(),
          e.toString());
      return null;
    }
  }

  private void sleep() throws InterruptedException {
    Thread.sleep(poll.toMillis());
  }

  /** Stops following; waits briefly for the thread (a blocked pipe read may outlive it). */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(poll.toMillis() * 5 + 100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
