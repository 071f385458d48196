package io.memfleet.collector.jfr;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.EventHeaders;
import io.memfleet.demo.jvm.ClassDefineCost.PluginLoader;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.event.Runtime;
import io.memfleet.event.StackCount;
import io.memfleet.event.StackTrace;
import io.memfleet.event.ThreadCount;
import java.lang.invoke.MethodHandles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveByStackTest {
  private static StackTrace stack(String... frames) {
    List<String> f = List.of(frames);
    return StackTrace.newBuilder().setFrames(f).setHash(JfrEventMapper.stackHash(f)).build();
  }

  @Test
  void liveThreadsAreCountedByTheStackThatStartedThem() {
    LiveByStack starts = LiveByStack.threads();
    StackTrace leak = stack("app.Reports.schedule:75", "app.Reports.main:20");
    StackTrace pool = stack("java.util.concurrent.ThreadPoolExecutor.addWorker:945",
        "app.Server.start:12");
    for (long id = 10; id < 15; id++) {
      starts.started(id, leak);
    }
    starts.started(20, pool);
    starts.started(21, pool);
    starts.started(22, null); // no stack: not counted
    starts.ended(11);
    starts.ended(21);
    starts.ended(99); // started before the recording: unknown, ignored
    List<StackCount> top = starts.top(8);
    assertThat(top).extracting(StackCount::getCount).containsExactly(4L, 1L);
    assertThat(top.get(0).getStack()).isEqualTo(leak);
    starts.ended(20);
    assertThat(starts.top(8)).hasSize(1);
    assertThat(starts.top(0)).isEmpty();
  }

  @Test
  void anIdStartedAgainReleasesItsFormerStack() {
    LiveByStack starts = LiveByStack.threads();
    StackTrace a = stack("app.A.run:1");
    StackTrace b = stack("app.B.run:1");
    starts.started(7, a);
    starts.started(7, b); // its end was missed
    assertThat(starts.top(8)).extracting(c -> c.getStack().getFrames().get(0))
        .containsExactly("app.B.run:1");
  }

  @Test
  void startsBeyondTheBoundsAreCountedAndLeftOut() {
    LiveByStack starts = LiveByStack.threads();
    StackTrace leak = stack("app.Reports.schedule:75");
    for (long id = 0; id <= LiveByStack.MAX_THREADS; id++) {
      starts.started(id, leak);
    }
    assertThat(starts.untracked()).isEqualTo(1);
    assertThat(starts.top(1).get(0).getCount()).isEqualTo(LiveByStack.MAX_THREADS);
    LiveByStack few = LiveByStack.threads();
    for (int i = 0; i <= LiveByStack.MAX_STACKS; i++) {
      few.started(i, stack("app.Gen.stack" + i + ":1"));
    }
    assertThat(few.untracked()).isEqualTo(1);
    assertThat(few.top(Integer.MAX_VALUE)).hasSize(LiveByStack.MAX_STACKS);
  }

  /** Starts a thread that waits until {@code release}: one that stays. */
  private static Thread startWaitingWorker(CountDownLatch release, int n) {
    Thread t = new Thread(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "waiting-worker-" + n);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static Thread startShortWorker() {
    Thread t = new Thread(() -> { }, "short-worker");
    t.start();
    return t;
  }

  @Test
  void aRealRecordingNamesTheMethodThatStartedTheThreadsThatStay(@TempDir Path dir)
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    Path file = dir.resolve("threads.jfr");
    try (Recording r = new Recording()) {
      r.setSettings(JfrSettings.only(JfrSettings.defaults(), "jdk.ThreadStart", "jdk.ThreadEnd",
          "jdk.JavaThreadStatistics").toMap());
      r.start();
      for (int i = 0; i < 6; i++) {
        workers.add(startWaitingWorker(release, i));
      }
      startShortWorker().join(); // started and ended: in no group
      Thread.sleep(2_500); // past a thread-statistics period (1 s) after the starts
      r.stop();
      r.dump(file);
    } finally {
      release.countDown();
      for (Thread t : workers) {
        t.join();
      }
    }
    JfrEventMapper mapper = mapper();
    List<RecordedEvent> events = inStreamOrder(file);
    List<ThreadCount> counts = new ArrayList<>();
    for (RecordedEvent e : events) {
      for (SpecificRecord out : mapper.map(e)) {
        if (out instanceof ThreadCount t) {
          counts.add(t);
        }
      }
    }
    assertThat(counts).as("a count a second").hasSizeGreaterThanOrEqualTo(2);
    // the stacks ride on one count in 10 s: the first after the starts
    List<ThreadCount> withStacks = counts.stream().filter(t -> !t.getStacks().isEmpty()).toList();
    assertThat(withStacks).hasSize(1);
    ThreadCount last = withStacks.get(0);
    StackCount top = last.getStacks().get(0);
    // all six, unless a count was taken while they were being started
    assertThat(top.getCount()).isBetween(1L, 6L);
    assertThat(top.getStack().getFrames().get(0))
        .startsWith(LiveByStackTest.class.getName() + ".startWaitingWorker:");
    assertThat(last.getStacks()).noneMatch(c -> c.getStack().getFrames().get(0)
        .contains("startShortWorker"));
  }

  private static JfrEventMapper mapper() {
    ProcessIdentity process = ProcessIdentity.newBuilder().setCluster("c").setNode("n")
        .setBootId("b").setPid(1).setProcessStartTimeMs(1L).setComm("java")
        .setRuntime(Runtime.JVM).setLabels(Map.of()).build();
    return new JfrEventMapper(process, new EventHeaders("test"), 8);
  }

  /** A recording's events in time order, as a live stream hands them over. */
  private static List<RecordedEvent> inStreamOrder(Path file) throws Exception {
    List<RecordedEvent> events = new ArrayList<>(RecordingFile.readAllEvents(file));
    events.sort(Comparator.comparing(RecordedEvent::getStartTime));
    return events;
  }

  /** A class a test loader defines afresh: one per loader, as a plugin's. */
  public static final class Plugin {}

  private static Class<?> loadPluginVersion(byte[] bytes) throws Exception {
    return new PluginLoader(Plugin.class.getName(), bytes, LiveByStackTest.class.getClassLoader())
        .define();
  }

  private static Class<?> loadThrowawayVersion(byte[] bytes) throws Exception {
    return new PluginLoader(Plugin.class.getName(), bytes, LiveByStackTest.class.getClassLoader())
        .define();
  }

  @Test
  void aRealRecordingNamesTheMethodThatDefinedTheClassesThatStay(@TempDir Path dir)
      throws Exception {
    byte[] bytes;
    try (var in = LiveByStackTest.class.getResourceAsStream("LiveByStackTest$Plugin.class")) {
      bytes = in.readAllBytes();
    }
    List<Class<?>> kept = new ArrayList<>();
    Path file = dir.resolve("classes.jfr");
    try (Recording r = new Recording()) {
      r.setSettings(JfrSettings.only(JfrSettings.defaults(), "jdk.ClassDefine", "jdk.ClassUnload",
          "jdk.MetaspaceSummary").toMap());
      r.start();
      for (int i = 0; i < 20; i++) {
        kept.add(loadPluginVersion(bytes));
      }
      for (int i = 0; i < 30; i++) {
        loadThrowawayVersion(bytes); // its loader is unreachable at once
      }
      System.gc(); // unloads the throwaway versions; the metaspace summary after it carries stacks
      Thread.sleep(200);
      r.stop();
      r.dump(file);
    }
    assertThat(kept).hasSize(20);
    assertThat(inStreamOrder(file)).as("classes unloaded by the collection")
        .anyMatch(e -> e.getEventType().getName().equals("jdk.ClassUnload"));
    List<StackCount> stacks = metaspaceStacks(file);
    assertThat(stacks).as("metaspace readings after the defines carry their stacks").isNotEmpty();
    StackCount top = stacks.get(0);
    // the kept versions, every one, and not the versions unloaded since
    List<String> frames = top.getStack().getFrames();
    assertThat(frames).anyMatch(f -> f.startsWith(LiveByStackTest.class.getName()
        + ".loadPluginVersion:"));
    assertThat(stacks).noneMatch(c -> c.getStack().getFrames().stream()
        .anyMatch(f -> f.contains("loadThrowawayVersion")));
    // all 20, unless a collection's metaspace reading (the one that carries the stacks, once in
    // 10 s) came while they were being defined
    assertThat(top.getCount()).isBetween(1L, 20L);
  }

  private static Class<?> defineHiddenVersion(byte[] bytes) throws Exception {
    return MethodHandles.lookup().defineHiddenClass(bytes, true).lookupClass();
  }

  private static Class<?> defineThrowawayHiddenVersion(byte[] bytes) throws Exception {
    return MethodHandles.lookup().defineHiddenClass(bytes, true).lookupClass();
  }

  @Test
  void aRealRecordingNamesTheMethodThatDefinedTheHiddenClassesThatStay(@TempDir Path dir)
      throws Exception {
    // a rules engine compiling each rule to a hidden class: JFR has no ClassDefine for those,
    // only a ClassLoad (seen on JDK 25: a metaspace leak of 864 KiB/s alerted with no code)
    byte[] bytes;
    try (var in = LiveByStackTest.class.getResourceAsStream("LiveByStackTest$Plugin.class")) {
      bytes = in.readAllBytes();
    }
    List<Class<?>> kept = new ArrayList<>();
    Path file = dir.resolve("hidden.jfr");
    try (Recording r = new Recording()) {
      r.setSettings(JfrSettings.only(JfrSettings.defaults(), "jdk.ClassDefine", "jdk.ClassLoad",
          "jdk.ClassUnload", "jdk.MetaspaceSummary").toMap());
      r.start();
      for (int i = 0; i < 20; i++) {
        kept.add(defineHiddenVersion(bytes));
      }
      for (int i = 0; i < 30; i++) {
        defineThrowawayHiddenVersion(bytes); // not strong: unreachable at once
      }
      System.gc();
      Thread.sleep(200);
      r.stop();
      r.dump(file);
    }
    assertThat(kept).hasSize(20);
    List<StackCount> stacks = metaspaceStacks(file);
    assertThat(stacks).as("metaspace readings after the defines carry their stacks").isNotEmpty();
    StackCount top = stacks.get(0);
    assertThat(top.getStack().getFrames()).anyMatch(f -> f.startsWith(
        LiveByStackTest.class.getName() + ".defineHiddenVersion:"));
    assertThat(top.getCount()).as("all 20, unless a reading came while they were being defined")
        .isBetween(1L, 20L);
    assertThat(stacks).noneMatch(c -> c.getStack().getFrames().stream()
        .anyMatch(f -> f.contains("defineThrowawayHiddenVersion")));
  }

  /** The define-stack groups the recording's metaspace readings carry, as the mapper makes them. */
  private static List<StackCount> metaspaceStacks(Path file) throws Exception {
    JfrEventMapper mapper = mapper();
    List<StackCount> stacks = new ArrayList<>();
    for (RecordedEvent e : inStreamOrder(file)) {
      for (SpecificRecord out : mapper.map(e)) {
        if (out instanceof MemoryPools m) {
          m.getPools().stream().filter(p -> p.getPool() == MemoryPool.METASPACE)
              .forEach(p -> stacks.addAll(p.getStacks()));
        }
      }
    }
    return stacks;
  }
}
