package io.memfleet.collector.internal;

import io.memfleet.collector.SinkStats;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender thread behind {@code KafkaEventSink}: moves queued records to the producer, or to
 * the spool while the broker is unreachable, and replays the spool when it answers again.
 *
 * <p>Threading: {@link #offer} and the stats are safe from any thread; the spool and the mode are
 * touched only by the sender thread; producer callbacks (on the producer's I/O thread) only update
 * the in-flight map and counters.
 */
public final class SpoolingSender {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolingSender.class);
  private static final int MAX_REPLAY_BATCH = 512;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Supplier<Producer<byte[], byte[]>> producers;
  private Producer<byte[], byte[]> producer;
  /** Set by a callback when the producer failed for good (a refused login): replace it. */
  private volatile boolean producerFailed;
  /**
   * Set when the producer cannot be trusted to send or to flush any more: its I/O thread died (of
   * an {@code OutOfMemoryError}, which Kafka's thread does not catch), or a send threw that error.
   * What it holds unacknowledged is spooled without flushing it, and a new producer replays.
   */
  private volatile boolean producerDead;
  /** Name of the producer's I/O thread ({@link #watchProducerThread}), or null. */
  private String producerThreadName;
  private Thread producerThread;
  private long producerThreadCheckNanos;
  /** Spooling because the producer died, not the broker: worth a replay at close too. */
  private boolean spoolingForDeadProducer;
  private final DiskSpool spool;
  private final BlockingQueue<DiskSpool.Entry> queue;
  private final long queueMaxBytes;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Duration closeTimeout;
  private final Thread thread;

  private final AtomicLong published = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong spooled = new AtomicLong();
  private final AtomicLong replayed = new AtomicLong();
  private final Map<String, LongAdder> drops = new ConcurrentHashMap<>();
  private final long carriedOver;
  private final InFlightLedger ledger;
  private final long droppedBeforeStart;
  private final ConcurrentSkipListMap<Long, DiskSpool.Entry> inFlight =
      new ConcurrentSkipListMap<>();
  private final Map<Long, Exception> failures = new ConcurrentHashMap<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean spooling;
  private volatile long spoolBytes;
  private volatile boolean busy;
  private long nextId;
  private long backoffMs = 250;
  private long nextReplayNanos;
  private int replayBatch = 1;
  private long lastSyncNanos = System.nanoTime();

  /**
   * @param queueMaxBytes bound of the in-memory queue in payload bytes (as well as in records):
   *     what does not fit is dropped as {@code queue-full}
   */
  public SpoolingSender(String collectorId, Producer<byte[], byte[]> producer, DiskSpool spool,
      int queueCapacity, long queueMaxBytes, Duration closeTimeout) {
    this(collectorId, () -> producer, spool, queueCapacity, queueMaxBytes, closeTimeout);
  }

  /** A sender whose in-memory queue is bounded in records only. */
  public SpoolingSender(String collectorId, Producer<byte[], byte[]> producer, DiskSpool spool,
      int queueCapacity, Duration closeTimeout) {
    this(collectorId, () -> producer, spool, queueCapacity, Long.MAX_VALUE, closeTimeout);
  }

  /** {@link #SpoolingSender(String, Supplier, DiskSpool, int, long, Duration)}, no byte bound. */
  public SpoolingSender(String collectorId, Supplier<Producer<byte[], byte[]>> producers,
      DiskSpool spool, int queueCapacity, Duration closeTimeout) {
    this(collectorId, producers, spool, queueCapacity, Long.MAX_VALUE, closeTimeout);
  }

  /**
   * A sender that takes a new producer from {@code producers} when its producer failed for good:
   * an idempotent producer whose login was refused stays failed even once the credentials are
   * fixed, so the spool could never drain through it.
   */
  public SpoolingSender(String collectorId, Supplier<Producer<byte[], byte[]>> producers,
      DiskSpool spool, int queueCapacity, long queueMaxBytes, Duration closeTimeout) {
    this.queueMaxBytes = queueMaxBytes;
    this.producers = producers;
    this.producer = producers.get();
    this.spool = spool;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.closeTimeout = closeTimeout;
    this.carriedOver = spool.size();
    this.ledger = spool.ledger();
    if (!ledger.persistent()) {
      LOG.warn("spool {}: cannot keep the in-flight counters on disk (full or read-only);"
          + " events lost if this collector is killed will not be counted", spool.dir());
    }
    if (spool.corruptTailsOnOpen() > 0) {
      drop("spool-corrupt", spool.corruptTailsOnOpen());
    }
    long lostOnKill = spool.lostOnKillOnOpen();
    if (lostOnKill > 0) {
      // a previous process died (kill -9, OOM kill) holding these in memory or unacknowledged
      drop("lost-on-kill", lostOnKill);
      LOG.warn("spool {}: a previous collector on this directory (or one it took over) was killed"
          + " holding {} events that were neither acknowledged by Kafka nor spooled; counted as"
          + " lost-on-kill", spool.dir(), lostOnKill);
    }
    if (spool.adoptionOverflow() > 0) {
      drop("spool-full", spool.adoptionOverflow());
    }
    this.droppedBeforeStart =
        spool.corruptTailsOnOpen() + lostOnKill + spool.adoptionOverflow();
    if (spool.cursorResetsOnOpen() > 0) {
      LOG.warn("spool {}: its cursor was unreadable; replaying from the oldest segment left (some"
          + " records may be sent twice)", spool.dir());
    }
    // what a previous run left must go out before anything new
    this.spooling = !spool.isEmpty();
    refreshSpoolGauges();
    this.thread = new Thread(this::run, "memfleet-sink-" + collectorId);
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /**
   * Watches the producer's I/O thread, found by this name among the live threads after each
   * producer is made (Kafka names it {@code kafka-producer-network-thread | <client id>}): when it
   * is gone the producer is replaced. Call before {@link #start}.
   */
  public void watchProducerThread(String name) {
    this.producerThreadName = name;
    this.producerThread = findThread(name);
  }

  private static Thread findThread(String name) {
    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads = new Thread[root.activeCount() + 16];
    int n = root.enumerate(threads, true);
    for (int i = 0; i < n; i++) {
      if (name.equals(threads[i].getName())) {
        return threads[i];
      }
    }
    return null;
  }

  /** Notes, at most once a second, a producer whose watched I/O thread has died. */
  private void checkProducerThread() {
    if (System.nanoTime() - producerThreadCheckNanos >= TimeUnit.SECONDS.toNanos(1)) {
      checkProducerThreadNow();
    }
  }

  private void checkProducerThreadNow() {
    if (producerThread == null || producerDead) {
      return;
    }
    producerThreadCheckNanos = System.nanoTime();
    if (!producerThread.isAlive()) {
      producerDead = true;
      LOG.warn("Kafka producer's I/O thread {} has died; spooling, then a new producer",
          producerThreadName);
    }
  }

  /** Queues a record; never blocks. */
  public void offer(DiskSpool.Entry entry) {
    published.incrementAndGet();
    ledger.accepted(1);
    if (closing.get()) {
      dropSettled("closed", 1);
    } else {
      long size = SpoolFrames.payloadLength(entry);
      if (queuedBytes.addAndGet(size) > queueMaxBytes || !queue.offer(entry)) {
        queuedBytes.addAndGet(-size);
        dropSettled("queue-full", 1);
      }
    }
  }

  /** Takes a polled record's bytes off the queue's byte count. */
  private DiskSpool.Entry dequeued(DiskSpool.Entry entry) {
    if (entry != null) {
      queuedBytes.addAndGet(-SpoolFrames.payloadLength(entry));
    }
    return entry;
  }

  public void countUnencodable(RuntimeException e) {
    published.incrementAndGet();
    ledger.accepted(1);
    dropSettled("encode-failed", 1);
    LOG.warn("event could not be encoded and was dropped: {}", e.toString());
  }

  private void drop(String reason, long n) {
    drops.computeIfAbsent(reason, r -> new LongAdder()).add(n);
  }

  /** Drops events accepted in this run (not ones read back from the spool). */
  private void dropSettled(String reason, long n) {
    drop(reason, n);
    ledger.settled(n);
  }

  public SinkStats stats() {
    Map<String, Long> byReason = new TreeMap<>();
    long dropped = 0;
    for (var e : drops.entrySet()) {
      byReason.put(e.getKey(), e.getValue().sum());
      dropped += e.getValue().sum();
    }
    return new SinkStats(published.get(), sent.get(), spooled.get(), replayed.get(), dropped,
        byReason, spoolBytes, !spooling);
  }

  private long pending() {
    SinkStats s = stats();
    // corrupt tails and events lost by a killed predecessor were counted as drops but never
    // published or carried over
    long settled = s.sent() + s.replayed() + s.dropped() - droppedBeforeStart;
    return s.published() + carriedOver - settled;
  }

  /** Waits until nothing is pending; true when that happened within the timeout. */
  public boolean awaitIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (pending() <= 0 && !busy) {
        return true;
      }
      if (System.nanoTime() >= deadline || !thread.isAlive()) {
        return pending() <= 0;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  public void close() {
    // one deadline for all that closing waits for: the producer's answers (in a replay, or
    // once the queue is drained), the replay at close, the producer's own close
    if (closeDeadlineNanos == Long.MAX_VALUE) { // set before closing, which the sender sees
      closeDeadlineNanos = System.nanoTime() + closeTimeout.toNanos();
    }
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    try {
      thread.join(closeTimeout.toMillis() + 15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      while (!closing.get() || !queue.isEmpty()) {
        try {
          if (spooling) {
            spoolingStep();
          } else {
            directStep();
          }
        } catch (RuntimeException e) {
          // keep the sender alive whatever happens; the stats show the consequences
          LOG.warn("sink sender error: {}", e.toString());
          sleepQuietly(100);
        } catch (OutOfMemoryError e) {
          // the host JVM's heap ran out (the agent shares it): wait for memory, keep going; a
          // send that got the error has its record kept (see send)
          sleepQuietly(100);
          warnQuietly("sink sender got an OutOfMemoryError; carrying on");
        }
      }
      try {
        replayBeforeClose();
      } finally {
        shutdown();
      }
    } catch (InterruptedException e) {
      LOG.warn("sink sender interrupted; events not yet sent stay queued or spooled");
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      LOG.error("sink sender stopped by an unexpected error", t);
      throw t;
    }
  }

  private void directStep() throws InterruptedException {
    checkProducerThread();
    if (!failures.isEmpty()) {
      // a failure of a record no longer in flight is stale: one a producer given up as dead
      // aborts later, whose records were spooled (and replayed) already
      failures.keySet().removeIf(id -> !inFlight.containsKey(id));
    }
    if (!failures.isEmpty() || producerDead) {
      enterSpooling();
      return;
    }
    DiskSpool.Entry entry = dequeued(queue.poll(50, TimeUnit.MILLISECONDS));
    if (entry == null) {
      return;
    }
    busy = true;
    try {
      send(entry, inFlight, failures, () -> {
        sent.incrementAndGet();
        ledger.settled(1);
      });
    } catch (OutOfMemoryError e) {
      // not even tracked (send keeps every other error to itself): spooled now, or counted
      producerDead = true;
      toSpool(entry);
    } finally {
      busy = false;
    }
  }

  /** Sends asynchronously; on success the record leaves {@code tracking}, on failure it stays. */
  private void send(DiskSpool.Entry entry, Map<Long, DiskSpool.Entry> tracking,
      Map<Long, Exception> failed, Runnable onSuccess) {
    long id = nextId++;
    tracking.put(id, entry); // an OutOfMemoryError here leaves it untracked: the caller's to keep
    byte[] key = entry.key().length == 0 ? null : entry.key();
    try {
      producer.send(new ProducerRecord<>(entry.topic(), key, entry.value()), (md, e) -> {
        if (e == null) {
          if (tracking.remove(id) != null) {
            onSuccess.run();
          }
        } else {
          producerFailed |= failsTheProducer(e);
          failed.putIfAbsent(id, e);
        }
      });
    } catch (RuntimeException e) {
      producerFailed |= failsTheProducer(e);
      failed.putIfAbsent(id, e);
    } catch (OutOfMemoryError e) {
      // the record is kept (spooled, replayed); the producer may be half way through it
      producerDead = true;
      failed.putIfAbsent(id, SendOutOfMemory.INSTANCE);
    }
  }

  /** The failure noted for a send that threw {@code OutOfMemoryError}: retriable, preallocated. */
  private static final class SendOutOfMemory extends RetriableException {
    static final SendOutOfMemory INSTANCE = new SendOutOfMemory();

    private SendOutOfMemory() {
      super("the JVM ran out of memory during the send", null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  private static boolean failsTheProducer(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationException) {
        return true;
      }
    }
    return false;
  }

  /** Closes a producer that failed for good and takes a new one (which logs in afresh). */
  private void renewFailedProducer() {
    if (!producerFailed && !producerDead) {
      return;
    }
    LOG.info("Kafka producer failed for good ({}); starting a new one",
        producerDead ? "its I/O thread died or it ran out of memory" : "refused login");
    // the new one first: should making it fail, the old one stays marked and is replaced at the
    // next replay
    Producer<byte[], byte[]> fresh = producers.get();
    producer.close(Duration.ZERO);
    producer = fresh;
    producerFailed = false;
    producerDead = false;
    if (producerThreadName != null) {
      producerThread = findThread(producerThreadName);
    }
  }

  /** The broker failed us: settle what is in flight, then spool the failures in order. */
  private void enterSpooling() {
    busy = true;
    try {
      spooling = true;
      if (producerDead) {
        // flushing a producer without its I/O thread would wait forever: keep all it holds
        LOG.warn("Kafka producer unusable; spooling events to {}", spool.dir());
        spoolFailed(inFlight, failures, true);
        spoolingForDeadProducer = true;
      } else {
        LOG.warn("Kafka unreachable or failing ({}); spooling events to {}",
            failures.values().iterator().next().toString(), spool.dir());
        awaitAnswers(inFlight, failures);
        spoolFailed(inFlight, failures, false);
        spoolingForDeadProducer = producerDead; // its thread died during the wait
      }
      nextReplayNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
      replayBatch = 1;
    } finally {
      busy = false;
    }
  }

  /** Set by {@link #close}: nothing the sender waits for once closing waits past it. */
  private volatile long closeDeadlineNanos = Long.MAX_VALUE;

  /** Longest wait for a watched producer's answers: well past Kafka's delivery timeout. */
  private static final long ANSWER_WAIT_MS = 30_000;

  /**
   * Waits until the producer has answered for every record of {@code tracking} (acknowledged:
   * gone from it; failed: in {@code failed}), as {@code flush()} does — but, when its I/O thread
   * is watched, not for good if that thread dies meanwhile (the producer is then marked dead and
   * what it holds stays unanswered) nor past {@link #ANSWER_WAIT_MS}. A producer whose thread is
   * not watched is flushed.
   */
  private void awaitAnswers(Map<Long, DiskSpool.Entry> tracking, Map<Long, Exception> failed) {
    if (producerThread == null) {
      producer.flush();
      return;
    }
    // the producer sends on its own after linger.ms: waiting is enough, no flush needed
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_WAIT_MS);
    while (!answered(tracking, failed) && System.nanoTime() < deadline
        && System.nanoTime() < closeDeadlineNanos) { // a close may begin meanwhile
      if (!producerThread.isAlive()) {
        producerDead = true;
        LOG.warn("Kafka producer's I/O thread {} died while records were in flight; they are"
            + " kept and a new producer sends them", producerThreadName);
        return;
      }
      sleepQuietly(5);
    }
  }

  private static boolean answered(Map<Long, DiskSpool.Entry> tracking,
      Map<Long, Exception> failed) {
    for (Long id : tracking.keySet()) {
      if (!failed.containsKey(id)) {
        return false;
      }
    }
    return true;
  }

  private void spoolFailed(ConcurrentSkipListMap<Long, DiskSpool.Entry> tracking,
      Map<Long, Exception> failed, boolean keepAll) {
    // each record is taken out of the map by whoever settles it: a producer not flushed (one
    // given up as dead) may still acknowledge a record meanwhile, which its callback then counts
    for (Long id : tracking.keySet()) {
      DiskSpool.Entry entry = tracking.remove(id);
      if (entry == null) {
        continue;
      }
      Exception cause = failed.get(id);
      // at close the producer aborts what is left with a plain KafkaException: keep those
      if (!keepAll && cause != null && !isRetriable(cause)) {
        dropSettled("rejected:" + cause.getClass().getSimpleName(), 1);
      } else {
        toSpool(entry);
      }
    }
    failed.clear();
  }

  /**
   * Whether a failed record is kept (spooled, replayed later) rather than dropped: Kafka's
   * retriable errors, and a refused login or a missing ACL — an operator fixes those (a rotated
   * Secret, a granted ACL) and the events wait in the bounded spool meanwhile.
   */
  private static boolean isRetriable(Exception e) {
    return isTransient(e)
        || e instanceof org.apache.kafka.common.errors.InterruptException
        || e instanceof IllegalStateException
        || e instanceof org.apache.kafka.common.KafkaException && isTransient(e.getCause());
  }

  private static boolean isTransient(Throwable e) {
    return e instanceof RetriableException || e instanceof AuthenticationException
        || e instanceof AuthorizationException;
  }

  /**
   * Spools an event accepted in this run. It is settled in the ledger only once it is in the
   * spool (or dropped and counted): a kill in between counts it as lost rather than losing it
   * silently.
   */
  private void toSpool(DiskSpool.Entry entry) {
    try {
      if (spool.append(entry)) {
        spooled.incrementAndGet();
      } else {
        drop("spool-full", 1);
      }
    } catch (IOException e) {
      drop("spool-io-error", 1);
      long failures = stats().dropped("spool-io-error");
      if (failures % 1000 == 1) {
        LOG.warn("spool write failed ({} events so far, counted spool-io-error): {}", failures,
            e.toString());
      }
    } catch (OutOfMemoryError e) {
      drop("out-of-memory", 1); // the host JVM's heap ran out while the record was encoded
    } finally {
      ledger.settled(1);
    }
    refreshSpoolGauges();
  }

  private void spoolingStep() throws InterruptedException {
    List<DiskSpool.Entry> batch = new ArrayList<>();
    queue.drainTo(batch);
    batch.forEach(this::dequeued);
    if (batch.isEmpty() && !closing.get()) {
      DiskSpool.Entry one = dequeued(queue.poll(20, TimeUnit.MILLISECONDS));
      if (one != null) {
        batch.add(one);
      }
    }
    busy = true;
    try {
      batch.forEach(this::toSpool);
      if (System.nanoTime() - lastSyncNanos > TimeUnit.SECONDS.toNanos(1)) {
        syncSpool();
      }
      if (!closing.get() && System.nanoTime() >= nextReplayNanos) {
        checkProducerThread();
        replay();
      }
    } finally {
      busy = false;
    }
  }

  private void syncSpool() {
    try {
      spool.sync();
    } catch (IOException e) {
      LOG.warn("spool sync failed: {}", e.toString());
    }
    lastSyncNanos = System.nanoTime();
  }

  /**
   * At close, when events were spooled only because the producer died (an
   * {@code OutOfMemoryError} in a JVM about to exit: its last events are the ones that matter),
   * replays them through a new producer for up to the close timeout.
   */
  private void replayBeforeClose() {
    long deadline = closeDeadlineNanos;
    try {
      checkProducerThreadNow();
      if (producerDead && !spooling) {
        enterSpooling(); // what the dead producer holds goes to the spool first
      }
      if (!spooling || !spoolingForDeadProducer) {
        return;
      }
      while (spooling && System.nanoTime() < deadline) {
        if (System.nanoTime() >= nextReplayNanos) {
          replay();
        } else {
          sleepQuietly(20);
        }
      }
    } catch (RuntimeException | OutOfMemoryError e) {
      warnQuietly("replay at close failed; events stay spooled");
    }
  }

  /** Sends the head of the spool; removes the prefix the broker acknowledged. */
  private void replay() {
    renewFailedProducer();
    List<DiskSpool.Entry> head;
    try {
      head = spool.peek(replayBatch);
    } catch (IOException e) {
      discardUnreadableHead(e);
      return;
    }
    if (head.isEmpty()) {
      spooling = false;
      spoolingForDeadProducer = false;
      backoffMs = 250;
      LOG.info("Kafka reachable again; spool drained, sending directly");
      return;
    }
    ConcurrentSkipListMap<Long, DiskSpool.Entry> tracking = new ConcurrentSkipListMap<>();
    Map<Long, Exception> failed = new ConcurrentHashMap<>();
    long firstId = nextId;
    for (DiskSpool.Entry e : head) {
      send(e, tracking, failed, () -> { });
    }
    if (!producerDead) {
      awaitAnswers(tracking, failed);
    }
    // the acknowledged prefix leaves the spool; a record the broker refuses for good is skipped
    int consumed = 0;
    long ok = 0;
    for (long id = firstId; id < firstId + head.size(); id++) {
      Exception failure = failed.get(id);
      if (!tracking.containsKey(id)) {
        ok++;
      } else if (failure != null && !isRetriable(failure)) {
        drop("rejected:" + failure.getClass().getSimpleName(), 1);
      } else {
        break;
      }
      consumed++;
    }
    try {
      spool.remove(head.subList(0, consumed));
    } catch (IOException e) {
      LOG.warn("spool cursor update failed: {}", e.toString());
    }
    replayed.addAndGet(ok);
    refreshSpoolGauges();
    if (spool.isEmpty()) {
      spooling = false;
      spoolingForDeadProducer = false;
      backoffMs = 250;
      LOG.info("Kafka reachable again; spool drained, sending directly");
      return;
    }
    if (consumed == head.size()) {
      replayBatch = Math.min(MAX_REPLAY_BATCH, replayBatch * 4);
      backoffMs = 250;
      nextReplayNanos = System.nanoTime();
    } else {
      replayBatch = 1;
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      nextReplayNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
    }
  }

  /** Skips the spooled record that cannot be read (and only it, where the next one is framed). */
  private void discardUnreadableHead(IOException cause) {
    try {
      long lost = spool.discardHead();
      drop("spool-corrupt", lost);
      LOG.warn("spool {}: discarded {} unreadable record(s) at its head: {}", spool.dir(), lost,
          cause.toString());
    } catch (IOException e) {
      // the head cannot even be skipped: give up the whole spool rather than stall forever
      long lost = spool.size();
      drop("spool-corrupt", lost);
      LOG.warn("spool {} unreadable ({}); {} spooled records lost", spool.dir(), e.toString(),
          lost);
      try {
        spool.clear();
      } catch (IOException stillFailing) {
        LOG.warn("spool {}: could not delete its segments: {}", spool.dir(),
            stillFailing.toString());
      }
    }
    refreshSpoolGauges();
    if (spool.isEmpty()) {
      spooling = false;
    }
  }

  private void refreshSpoolGauges() {
    spoolBytes = spool.diskBytes();
  }

  private void shutdown() {
    // waits for in-flight sends until the close deadline, then aborts them (their callbacks fail)
    producer.close(Duration.ofNanos(Math.max(0, closeDeadlineNanos - System.nanoTime())));
    if (!inFlight.isEmpty()) {
      spooling = true;
      spoolFailed(inFlight, failures, true);
    }
    try {
      spool.close();
    } catch (IOException e) {
      LOG.warn("spool close failed: {}", e.toString());
    }
  }

  /** Logs where logging itself may run out of memory. */
  private static void warnQuietly(String message) {
    try {
      LOG.warn(message);
    } catch (OutOfMemoryError again) {
      // nothing to be done: the next round tries again
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
