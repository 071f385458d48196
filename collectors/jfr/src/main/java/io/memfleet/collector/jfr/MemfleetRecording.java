package io.memfleet.collector.jfr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * memfleet's recording inside a JVM: a JFR recording named {@value #NAME} with memfleet's
 * {@link JfrSettings}, written to a JFR repository on disk that the node collector reads from
 * outside the JVM. Only JFR runs in the JVM — no parser, no Kafka client, no memfleet heap.
 *
 * <p>Two ways to start it, same recording:
 *
 * <pre>
 * # at JVM start (e.g. JAVA_TOOL_OPTIONS in Kubernetes): the flags of jvmFlags(jfc, stacks, base)
 * -XX:StartFlightRecording=name=memfleet,settings=/opt/memfleet/memfleet.jfc,disk=true,maxsize=32m,maxage=15m
 * -XX:StartFlightRecording=name=memfleet-old-object-stacks,settings=/opt/memfleet/memfleet-old-object-stacks.jfc,disk=false
 * -XX:FlightRecorderOptions=repository=/var/lib/memfleet/jfr
 *
 * # in a running JVM, through the attach mechanism (memfleet attach PID):
 * JFR.configure repositorypath=/tmp/memfleet-jfr
 * JFR.start name=memfleet settings=/tmp/memfleet-jfr/memfleet-1a2b3c4d.jfc disk=true maxsize=32m maxage=15m
 * </pre>
 *
 * <p>JFR writes chunks into {@code <repository base>/<yyyy_MM_dd_HH_mm_ss>_<pid>/}, the pid as
 * the JVM sees it (its pid namespace), and flushes them about once a second. The bounds keep the
 * disk use of a JVM whose collector is away (restart, outage) at {@code maxsize}: JFR drops its
 * oldest chunks beyond it or beyond {@code maxage}.
 */
public final class MemfleetRecording {
  /** The recording's name in the JVM ({@code JFR.check name=memfleet}). */
  public static final String NAME = "memfleet";
  /** The recording that turns old-object stacks on, see {@link #oldObjectStacksStartCommand}. */
  public static final String OLD_OBJECT_STACKS = NAME + "-old-object-stacks";
  /**
   * The repository base {@code memfleet attach} configures, in the JVM's own file system; the
   * node collector looks there (through {@code /proc/PID/root}) for attached JVMs.
   */
  public static final String ATTACH_BASE = "/tmp/memfleet-jfr";
  public static final String DEFAULT_MAX_SIZE = "32m";
  public static final String DEFAULT_MAX_AGE = "15m";

  /** Paths go into JFR's option syntax unquoted: no separators or whitespace in them. */
  private static final Pattern SAFE_PATH = Pattern.compile("[^\\s,=;'\"]+");
  private static final Pattern SIZE = Pattern.compile("\\d+[kKmMgG]?");
  private static final Pattern AGE = Pattern.compile("\\d+(s|m|h|d)");

  private final String maxSize;
  private final String maxAge;

  private MemfleetRecording(String maxSize, String maxAge) {
    this.maxSize = maxSize;
    this.maxAge = maxAge;
  }

  /** The recording with the default bounds ({@value #DEFAULT_MAX_SIZE}, {@value #DEFAULT_MAX_AGE}). */
  public static MemfleetRecording defaults() {
    return new MemfleetRecording(DEFAULT_MAX_SIZE, DEFAULT_MAX_AGE);
  }

  /**
   * A recording with these bounds: {@code maxSize} like {@code 32m} (at least JFR's chunk size,
   * 12 MB by default), {@code maxAge} like {@code 15m}.
   */
  public static MemfleetRecording bounded(String maxSize, String maxAge) {
    if (maxSize == null || !SIZE.matcher(maxSize).matches()) {
      throw new IllegalArgumentException("max size must look like 32m: " + maxSize);
    }
    if (maxAge == null || !AGE.matcher(maxAge).matches()) {
      throw new IllegalArgumentException("max age must look like 15m: " + maxAge);
    }
    return new MemfleetRecording(maxSize, maxAge);
  }

  public String maxSize() {
    return maxSize;
  }

  public String maxAge() {
    return maxAge;
  }

  /**
   * The JVM flags that start the recording with the JVM, and with it the recording that turns
   * old-object stacks on ({@link #OLD_OBJECT_STACKS}): a leak that starts with its process keeps
   * samples from its first seconds, before any collector could attach and turn stacks on, and
   * without a stack they name a class but no code (seen: {@code jvm-oome}, which filled its heap
   * in a minute, kept only samples taken before the collector's attach). The node collector stops
   * that recording once the JVM is a minute old and its live set does not grow
   * ({@code JfrRepositoryCollector}); where no collector runs, stacks stay on, as in JFR's
   * {@code profile.jfc} (their cost: collectors/jfr/README.md, "What it costs").
   *
   * @param settingsFile path of a {@code .jfc} holding {@link JfrSettings#toJfc()}, as the JVM
   *     sees it
   * @param stacksFile path of a {@code .jfc} that enables only old-object samples, with stacks
   *     ({@link #oldObjectStacksSettings}); {@code null}: no such recording (the settings leave
   *     old-object samples out)
   * @param repositoryBase directory under which JFR creates the repository, as the JVM sees it
   */
  public List<String> jvmFlags(String settingsFile, String stacksFile, String repositoryBase) {
    List<String> flags = new ArrayList<>();
    flags.add("-XX:StartFlightRecording=" + String.join(",", startOptions(settingsFile)));
    if (stacksFile != null) {
      flags.add("-XX:StartFlightRecording=name=" + OLD_OBJECT_STACKS + ",settings="
          + safe(stacksFile) + ",disk=false");
    }
    flags.add("-XX:FlightRecorderOptions=repository=" + safe(repositoryBase));
    return List.copyOf(flags);
  }

  /**
   * The settings of the {@link #OLD_OBJECT_STACKS} recording: {@code settings}' old-object
   * samples with stacks, nothing else; empty when {@code settings} leave old-object samples out.
   */
  public static Optional<JfrSettings> oldObjectStacksSettings(JfrSettings settings) {
    if (settings.events().stream()
        .noneMatch(e -> e.event().equals(JfrSettings.OLD_OBJECT_SAMPLE))) {
      return Optional.empty();
    }
    return Optional.of(JfrSettings.only(settings.withOldObjectStacks(),
        JfrSettings.OLD_OBJECT_SAMPLE));
  }

  /**
   * Prepares a JVM start on this host: writes {@code settings} to {@code jfc} and the old-object
   * stacks' settings next to it ({@value #OLD_OBJECT_STACKS}{@code .jfc}), creates the
   * repository base (mode 1777, as {@code /tmp}, when it has to create it, so JVMs of every user
   * can write their repositories there) and returns {@link #jvmFlags}.
   *
   * <pre>{@code
   * List<String> flags = MemfleetRecording.defaults().prepareFlags(JfrSettings.defaults(),
   *     Path.of("/tmp/memfleet-jfr"), Path.of("/tmp/memfleet-jfr/memfleet.jfc"));
   * }</pre>
   */
  public List<String> prepareFlags(JfrSettings settings, Path repositoryBase, Path jfc)
      throws IOException {
    if (!Files.isDirectory(repositoryBase)) {
      Files.createDirectories(repositoryBase);
      Files.setAttribute(repositoryBase, "unix:mode", 01777);
    }
    Files.createDirectories(jfc.toAbsolutePath().getParent());
    write(jfc, settings.toJfc());
    Optional<JfrSettings> stacks = oldObjectStacksSettings(settings);
    Path stacksJfc = jfc.toAbsolutePath().resolveSibling(OLD_OBJECT_STACKS + ".jfc");
    if (stacks.isPresent()) {
      write(stacksJfc, stacks.get().toJfc());
    }
    return jvmFlags(jfc.toAbsolutePath().toString(),
        stacks.isPresent() ? stacksJfc.toString() : null,
        repositoryBase.toAbsolutePath().toString());
  }

  private static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** {@code JFR.start} for the attach mechanism (one line, space-separated options). */
  public String startCommand(String settingsFile) {
    return "JFR.start " + String.join(" ", startOptions(settingsFile));
  }

  private List<String> startOptions(String settingsFile) {
    return List.of("name=" + NAME, "settings=" + safe(settingsFile), "disk=true",
        "maxsize=" + maxSize, "maxage=" + maxAge);
  }

  /** {@code JFR.configure} moving the JVM's repository under {@code repositoryBase}. */
  public static String configureCommand(String repositoryBase) {
    return "JFR.configure repositorypath=" + safe(repositoryBase);
  }

  /** {@code JFR.stop} of memfleet's recording; its data is discarded (no file name). */
  public static String stopCommand() {
    return "JFR.stop name=" + NAME;
  }

  /** {@code JFR.check} of memfleet's recording. */
  public static String checkCommand() {
    return "JFR.check name=" + NAME;
  }

  /**
   * A recording that only enables old-object samples and is stopped right away: stopping it makes
   * JFR emit the samples it holds into the repository (see {@link JfrAgent}).
   */
  public static String oldObjectsStartCommand(String settingsFile) {
    return "JFR.start name=" + NAME + "-old-objects settings=" + safe(settingsFile)
        + " disk=false";
  }

  public static String oldObjectsStopCommand() {
    return "JFR.stop name=" + NAME + "-old-objects";
  }

  /**
   * A recording that only turns on stack traces of old-object samples, kept running while the
   * JVM's live set grows (JFR takes the union of its recordings' settings); nothing goes to disk.
   */
  public static String oldObjectStacksStartCommand(String settingsFile) {
    return "JFR.start name=" + OLD_OBJECT_STACKS + " settings=" + safe(settingsFile)
        + " disk=false";
  }

  /** {@code JFR.check} of the {@link #OLD_OBJECT_STACKS} recording. */
  public static String oldObjectStacksCheckCommand() {
    return "JFR.check name=" + OLD_OBJECT_STACKS;
  }

  public static String oldObjectStacksStopCommand() {
    return "JFR.stop name=" + OLD_OBJECT_STACKS;
  }

  static String safe(String path) {
    Objects.requireNonNull(path, "path");
    if (!SAFE_PATH.matcher(path).matches()) {
      throw new IllegalArgumentException("path must not contain whitespace, ',', '=', ';' or"
          + " quotes (JFR's option syntax): '" + path + "'");
    }
    return path;
  }
}
