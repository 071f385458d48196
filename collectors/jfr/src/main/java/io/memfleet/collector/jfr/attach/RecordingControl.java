package io.memfleet.collector.jfr.attach;

import io.memfleet.collector.jfr.JfrSettings;
import io.memfleet.collector.jfr.MemfleetRecording;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Starts and stops memfleet's recording ({@link MemfleetRecording}) in a running JVM from
 * outside, through the attach mechanism ({@link HotSpotAttach}): no restart, no flag, nothing of
 * memfleet loaded into the JVM — only JFR, configured with memfleet's {@link JfrSettings}. The
 * one exception is asked for by the collector, not by a start: a JVM whose direct-buffer pool grows
 * gets memfleet's direct-buffer probe ({@link #loadDirectBufferProbe}), a small Java agent that
 * reports which stacks hold its live direct buffers as a JFR event; a stop takes it out again.
 *
 * <pre>{@code
 * RecordingControl control = RecordingControl.builder().settings(JfrSettings.of(options)).build();
 * RecordingControl.Started s = control.start(TargetProcess.of(procRoot, pid, sharedRoots));
 * s.repository();        // the JFR repository, as this process reaches it
 * control.stop(target);  // JFR.stop name=memfleet; the collector stops reading
 * }</pre>
 *
 * <p>Layout in the JVM's file system: {@code /tmp/memfleet-jfr} (mode 1777, like {@code /tmp}),
 * one directory per JVM {@code <nspid>-<startTicks>} owned by the JVM's user, holding the
 * settings file, the marker {@value #MARKER} (present while memfleet's recording runs there) and
 * the repository JFR creates ({@code <yyyy_MM_dd_HH_mm_ss>_<nspid>}). Start ticks in the name keep
 * a later process with the same pid from being taken for this one. {@code JFR.configure
 * repositorypath} moves the repository of every recording of that JVM, so a JVM that already
 * records to disk keeps recording, to the new place.
 */
public final class RecordingControl {
  /** Marker file: memfleet's recording was started here by attach and not stopped. */
  public static final String MARKER = "memfleet.recording";
  /** Lock file in the JVM's directory, held while a start checks and starts. */
  static final String LOCK = "memfleet.lock";
  private static final Object[] STRIPES = new Object[16];

  static {
    for (int i = 0; i < STRIPES.length; i++) {
      STRIPES[i] = new Object();
    }
  }

  /** Recordings named memfleet one stop takes down, at most. */
  private static final int MAX_STOPS = 8;
  private static final String SETTINGS_FILE = "memfleet.jfc";
  private static final String OLD_OBJECTS_FILE = "memfleet-old-objects.jfc";
  private static final String OLD_OBJECT_STACKS_FILE = "memfleet-old-object-stacks.jfc";
  /** The direct-buffer probe's jar in the JVM's directory; present once the probe was loaded. */
  static final String PROBE_JAR = "memfleet-direct-buffer-probe.jar";
  /** Where this module's jar (the collector's and the agent's) carries the probe's, built by
   * collectors/jvm-probe. */
  public static final String PROBE_RESOURCE = "/io/memfleet/collector/jfr/attach/" + PROBE_JAR;

  private final JfrSettings settings;
  private final MemfleetRecording recording;
  private final Duration timeout;

  private RecordingControl(Builder b) {
    this.settings = b.settings;
    this.recording = b.recording;
    this.timeout = b.timeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * What {@link #start} did.
   *
   * @param repository the JFR repository directory, as this process reaches it
   * @param repositoryInTarget the same, as the JVM sees it
   * @param alreadyRunning memfleet's recording was running before (started by flags or an
   *     earlier attach); nothing was changed
   */
  public record Started(Path repository, String repositoryInTarget, boolean alreadyRunning) {}

  /**
   * Starts memfleet's recording unless it runs already. The check and the start hold a lock on
   * the JVM's directory ({@value #LOCK}): a JVM takes a second recording of the same name, and
   * two memfleet processes onboarding one JVM at once (the node collector finding it while
   * {@code memfleet attach} runs) had both started one.
   */
  public Started start(TargetProcess target) throws IOException {
    String dirInTarget = jvmDirectory(target);
    Path dir = prepareDirectory(target, dirInTarget);
    // a file lock is the process's: threads of this one take turns on a stripe first
    synchronized (STRIPES[Math.floorMod(dir.hashCode(), STRIPES.length)]) {
      try (FileChannel lock = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE); FileLock held = lock.lock()) {
        return startLocked(target, dirInTarget, dir);
      }
    }
  }

  private Started startLocked(TargetProcess target, String dirInTarget, Path dir)
      throws IOException {
    HotSpotAttach attach = attach(target);
    if (running(attach)) {
      String repo = repositoryPath(attach);
      return new Started(target.path(repo), repo, true);
    }
    String jfc = dirInTarget + "/" + SETTINGS_FILE;
    writeReadable(target.path(jfc), settings.toJfc());
    attach.jcmd(MemfleetRecording.configureCommand(dirInTarget));
    String out = attach.jcmd(recording.startCommand(jfc));
    if (!reportsStarted(out)) {
      throw new HotSpotAttach.AttachException("JFR.start failed in pid " + target.pid() + ": "
          + out.strip());
    }
    Files.writeString(dir.resolve(MARKER), "pid=" + target.pid() + "\n");
    String repo = repositoryPath(attach);
    return new Started(target.path(repo), repo, false);
  }

  /**
   * Stops memfleet's recording (its data in the JVM is discarded: the collector has read it).
   *
   * @return whether it was running
   */
  public boolean stop(TargetProcess target) throws IOException {
    HotSpotAttach attach = attach(target);
    boolean stopped = false;
    // JFR.stop stops one recording of the name; a JVM may hold more than one (started by its
    // flags and by an attach, or by two attaches before the start took a lock)
    for (int i = 0; i < MAX_STOPS && (i == 0 || running(attach)); i++) {
      stopped |= reportsStopped(attach.jcmd(MemfleetRecording.stopCommand()));
    }
    attach.jcmd(MemfleetRecording.oldObjectStacksStopCommand()); // if the collector left it on
    stopDirectBufferProbe(target, attach);
    Files.deleteIfExists(target.path(jvmDirectory(target) + "/" + MARKER));
    return stopped;
  }

  /**
   * Loads memfleet's direct-buffer probe into the JVM ({@code JVMTI.agent_load} of its jar, which
   * the JVM loads as a Java agent): from then on it samples {@code ByteBuffer.allocateDirect} and
   * reports, every pool period, the bytes of live direct buffers by the stack that allocated them
   * ({@code memfleet.DirectBufferSite}, recorded by memfleet's recording). Loading it again is
   * harmless. The jar is copied into the JVM's directory, where the JVM's user can read it.
   */
  public void loadDirectBufferProbe(TargetProcess target) throws IOException {
    String dirInTarget = jvmDirectory(target);
    prepareDirectory(target, dirInTarget);
    String jar = dirInTarget + "/" + PROBE_JAR;
    try (var in = RecordingControl.class.getResourceAsStream(PROBE_RESOURCE)) {
      if (in == null) {
        throw new IOException("the direct-buffer probe is not in this collector's jar ("
            + PROBE_RESOURCE + ")");
      }
      Path tmp = target.path(jar + ".tmp");
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.setAttribute(tmp, "unix:mode", 0644);
      Files.move(tmp, target.path(jar), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    }
    // it reports at the recording's period for memfleet.DirectBufferSite, or its own, whichever is
    // longer: the same one
    try {
      String reply = attach(target).jcmd(probeCommand(jar,
          "period=" + settings.directBufferSitePeriodSeconds()));
      if (!reportsLoaded(reply)) {
        throw new HotSpotAttach.AttachException("loading the direct-buffer probe into pid "
            + target.pid() + " failed: " + reply.strip());
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(target.path(jar)); // not loaded: nothing to take out at a stop
      throw e;
    }
  }

  /** Whether the direct-buffer probe was loaded into the JVM (its jar is there). */
  public static boolean directBufferProbeLoaded(TargetProcess target) {
    return Files.exists(target.path(jvmDirectory(target) + "/" + PROBE_JAR));
  }

  /** Takes the direct-buffer probe out again, if it was loaded: the JVM's classes as they were. */
  private static void stopDirectBufferProbe(TargetProcess target, HotSpotAttach attach)
      throws IOException {
    if (!directBufferProbeLoaded(target)) {
      return;
    }
    String jar = jvmDirectory(target) + "/" + PROBE_JAR;
    attach.jcmd(probeCommand(jar, "stop"));
  }

  /** The agent's option quoted: jcmd would take a bare {@code key=value} for one of its own. */
  static String probeCommand(String jarInTarget, String option) {
    return "JVMTI.agent_load " + jarInTarget + " \"" + option + "\"";
  }

  /** Whether a {@code JVMTI.agent_load} reply says the agent loaded ("return code: 0"). */
  static boolean reportsLoaded(String reply) {
    String r = reply.strip();
    return r.isEmpty() || r.equals("0") || r.endsWith("return code: 0");
  }

  /** Whether memfleet's recording runs in the JVM. */
  public boolean isRunning(TargetProcess target) throws IOException {
    return running(attach(target));
  }

  /**
   * Turns stack traces of the JVM's old-object samples on or off: a recording that enables only
   * them ({@link MemfleetRecording#OLD_OBJECT_STACKS}) is started or stopped. Nothing when the
   * settings leave old-object samples out.
   */
  public void oldObjectStacks(TargetProcess target, boolean on) throws IOException {
    Optional<JfrSettings> stacks = MemfleetRecording.oldObjectStacksSettings(settings);
    if (stacks.isEmpty()) {
      return;
    }
    HotSpotAttach attach = attach(target);
    if (!on) {
      attach.jcmd(MemfleetRecording.oldObjectStacksStopCommand());
      return;
    }
    // the JVM's flags may have started it (MemfleetRecording#jvmFlags): not a second one
    if (reportsRunning(attach.jcmd(MemfleetRecording.oldObjectStacksCheckCommand()),
        MemfleetRecording.OLD_OBJECT_STACKS)) {
      return;
    }
    String dirInTarget = jvmDirectory(target);
    prepareDirectory(target, dirInTarget);
    String jfc = dirInTarget + "/" + OLD_OBJECT_STACKS_FILE;
    writeReadable(target.path(jfc), stacks.get().toJfc());
    attach.jcmd(MemfleetRecording.oldObjectStacksStartCommand(jfc));
  }

  /**
   * The JVM's class histogram ({@link ClassHistogram#COMMAND}): a walk of its heap at a
   * safepoint (a pause that grows with what the heap holds), without collecting.
   */
  public List<ClassHistogram.Row> classHistogram(TargetProcess target) throws IOException {
    return ClassHistogram.parse(attach(target).jcmd(ClassHistogram.COMMAND));
  }

  /**
   * Makes the JVM write the old-object samples it holds into its repository, by starting and
   * stopping a recording that enables only them (JFR emits them when such a recording stops).
   */
  public void emitOldObjectSamples(TargetProcess target) throws IOException {
    Optional<JfrSettings.EventSettings> old = settings.events().stream()
        .filter(e -> e.event().equals(JfrSettings.OLD_OBJECT_SAMPLE)).findFirst();
    if (old.isEmpty()) {
      return;
    }
    String dirInTarget = jvmDirectory(target);
    prepareDirectory(target, dirInTarget);
    String jfc = dirInTarget + "/" + OLD_OBJECTS_FILE;
    Path file = target.path(jfc);
    if (!Files.exists(file)) {
      writeReadable(file, JfrSettings.only(settings, JfrSettings.OLD_OBJECT_SAMPLE).toJfc());
    }
    HotSpotAttach attach = attach(target);
    attach.jcmd(MemfleetRecording.oldObjectsStartCommand(jfc));
    attach.jcmd(MemfleetRecording.oldObjectsStopCommand());
  }

  /**
   * Stops memfleet's recording in every running JVM of this host that an attach started it in
   * (its marker is there): what {@code memfleet down} leaves behind otherwise, as recordings keep
   * running when the collector stops (a restarted collector resumes them).
   *
   * @return the pids whose recording was stopped
   */
  public List<Integer> stopAttached(Path procRoot) throws IOException {
    List<Integer> stopped = new ArrayList<>();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(procRoot,
        p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
      for (Path dir : pids) {
        int pid = Integer.parseInt(dir.getFileName().toString());
        try {
          TargetProcess target = TargetProcess.of(procRoot, pid, List.of());
          if (markedAttached(target) && stop(target)) {
            stopped.add(pid);
          }
        } catch (IOException | RuntimeException e) {
          // gone meanwhile, or no JVM to talk to: its marker goes with its directory
        }
      }
    }
    return stopped;
  }

  /** Whether an attach started memfleet's recording in this JVM and no detach stopped it. */
  public static boolean markedAttached(TargetProcess target) {
    return Files.exists(target.path(jvmDirectory(target) + "/" + MARKER));
  }

  /** The JVM's directory under {@link MemfleetRecording#ATTACH_BASE}, as the JVM sees it. */
  public static String jvmDirectory(TargetProcess target) {
    return MemfleetRecording.ATTACH_BASE + "/" + target.namespacePid() + "-"
        + target.startTicks();
  }

  private HotSpotAttach attach(TargetProcess target) {
    return HotSpotAttach.to(target.procRoot(), target.pid(), timeout);
  }

  private static boolean running(HotSpotAttach attach) throws IOException {
    return reportsRunning(attach.jcmd(MemfleetRecording.checkCommand()));
  }

  /** The JVM's current repository, from {@code JFR.configure}'s report. */
  private static String repositoryPath(HotSpotAttach attach) throws IOException {
    String out = attach.jcmd("JFR.configure");
    return repositoryPath(out).orElseThrow(() -> new HotSpotAttach.AttachException(
        "no repository path in JFR.configure's reply: " + out.strip()));
  }

  // The JVM answers a failed JFR command with status 0 and a message, so replies are read; the
  // texts are the same from JDK 17 to 25 (golden files in src/test/resources/golden/jcmd).

  /** Whether a {@code JFR.check name=memfleet} reply says the recording runs. */
  static boolean reportsRunning(String checkReply) {
    return reportsRunning(checkReply, MemfleetRecording.NAME);
  }

  /** Whether a {@code JFR.check} reply says a recording named {@code name} runs. */
  static boolean reportsRunning(String checkReply, String name) {
    return checkReply.lines().anyMatch(l -> l.startsWith("Recording ")
        && l.contains(" name=" + name + " ") && l.endsWith("(running)"));
  }

  static boolean reportsStarted(String startReply) {
    return startReply.startsWith("Started recording");
  }

  static boolean reportsStopped(String stopReply) {
    return stopReply.startsWith("Stopped recording");
  }

  /** The repository path in a {@code JFR.configure} reply. */
  static Optional<String> repositoryPath(String configureReply) {
    return configureReply.lines().filter(l -> l.startsWith("Repository path:"))
        .map(l -> l.substring("Repository path:".length()).strip()).findFirst();
  }

  /** Creates the shared base (1777) and the JVM's own directory, owned by the JVM's user. */
  private static Path prepareDirectory(TargetProcess target, String dirInTarget)
      throws IOException {
    Path base = target.path(MemfleetRecording.ATTACH_BASE);
    if (!Files.isDirectory(base)) {
      Files.createDirectories(base);
      Files.setAttribute(base, "unix:mode", 01777);
    }
    Path dir = target.path(dirInTarget);
    Files.createDirectories(dir);
    // the JVM creates its repository in here, as its own user
    Path proc = target.procRoot().resolve(Integer.toString(target.pid()));
    Object uid = Files.getAttribute(proc, "unix:uid");
    Object gid = Files.getAttribute(proc, "unix:gid");
    if (!uid.equals(Files.getAttribute(dir, "unix:uid"))) {
      Files.setAttribute(dir, "unix:uid", uid);
      Files.setAttribute(dir, "unix:gid", gid);
    }
    return dir;
  }

  private static void writeReadable(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.setAttribute(tmp, "unix:mode", 0644);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Validating builder: settings are required. */
  public static final class Builder {
    private JfrSettings settings;
    private MemfleetRecording recording = MemfleetRecording.defaults();
    private Duration timeout = HotSpotAttach.DEFAULT_TIMEOUT;

    /** The settings the recording uses. Required. */
    public Builder settings(JfrSettings settings) {
      this.settings = settings;
      return this;
    }

    /** The recording's bounds; default {@link MemfleetRecording#defaults()}. */
    public Builder recording(MemfleetRecording recording) {
      this.recording = Objects.requireNonNull(recording, "recording");
      return this;
    }

    /** How long each attach step may take; default 10 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public RecordingControl build() {
      Objects.requireNonNull(settings, "settings");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      return new RecordingControl(this);
    }
  }
}
