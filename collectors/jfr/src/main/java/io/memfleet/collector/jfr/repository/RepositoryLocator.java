package io.memfleet.collector.jfr.repository;

import io.memfleet.collector.jfr.attach.RecordingControl;
import io.memfleet.collector.jfr.attach.TargetProcess;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the JFR repository of memfleet's recording in a JVM, from outside and without touching
 * the JVM: from its flags ({@link RecordingFlags}: started with memfleet's
 * {@code -XX:StartFlightRecording}), or from the marker {@code memfleet attach} leaves in the
 * JVM's directory under {@code /tmp/memfleet-jfr} ({@link RecordingControl}).
 *
 * <pre>{@code
 * Optional<RepositoryLocator.Location> where = RepositoryLocator.locate(target, startTimeMs);
 * }</pre>
 *
 * <p>JFR names the repository {@code <base>/<yyyy_MM_dd_HH_mm_ss>_<pid>}, with the pid the JVM
 * sees (its namespace's). Several may match: a JVM restarted in a container gets the same pid, and
 * a killed one leaves its repository behind. The one taken is the newest by name among those
 * changed since the process started that hold a chunk (JFR creates a chunk file in it when the
 * recording starts; a directory it created and left empty is not it).
 */
public final class RepositoryLocator {
  private RepositoryLocator() {}

  /** How memfleet's recording came to run in the JVM. */
  public enum How { FLAGS, ATTACHED }

  /**
   * Where a JVM's repository is.
   *
   * @param repository the directory, as this process reaches it
   * @param repositoryInTarget the same, as the JVM sees it
   * @param how started by flags or by attach
   * @param survivesExit whether {@code repository} stays reachable after the JVM is gone (not
   *     only through {@code /proc/PID/root})
   */
  public record Location(Path repository, String repositoryInTarget, How how,
      boolean survivesExit) {}

  /**
   * Where memfleet's recording of a JVM writes, as the JVM sees it.
   *
   * @param base the directory JFR creates the repository in
   * @param how started by flags or by attach
   */
  public record Declared(String base, How how) {}

  /** Whether the JVM runs memfleet's recording (by its flags or an attach), and where. */
  public static Optional<Declared> declared(TargetProcess target) throws IOException {
    Optional<RecordingFlags> flags = RecordingFlags.parse(target.cmdline(),
        target.environment(new HashSet<>(RecordingFlags.OPTION_VARIABLES)));
    if (flags.isPresent()) {
      return Optional.of(new Declared(flags.get().repositoryBase(), How.FLAGS));
    }
    if (RecordingControl.markedAttached(target)) {
      return Optional.of(new Declared(RecordingControl.jvmDirectory(target), How.ATTACHED));
    }
    return Optional.empty();
  }

  /**
   * @param processStartMs the JVM's start (epoch ms), to skip repositories of earlier processes
   *     that had the same pid
   * @return empty when the JVM has no memfleet recording, or JFR has not created its repository
   *     yet (see {@link #declared})
   */
  public static Optional<Location> locate(TargetProcess target, long processStartMs)
      throws IOException {
    Optional<Declared> declared = declared(target);
    if (declared.isEmpty()) {
      return Optional.empty();
    }
    String base = declared.get().base();
    How how = declared.get().how();
    Path dir = target.path(base);
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    Pattern name = Pattern.compile("\\d{4}(_\\d\\d){5}_" + target.namespacePid());
    String newest = null;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String n = p.getFileName().toString();
        if (name.matcher(n).matches() && Files.isDirectory(p)
            && Files.getLastModifiedTime(p).toMillis() >= processStartMs - 1_000
            && (newest == null || n.compareTo(newest) > 0) && holdsChunk(p)) {
          newest = n;
        }
      }
    }
    if (newest == null) {
      return Optional.empty();
    }
    String inTarget = base.endsWith("/") ? base + newest : base + "/" + newest;
    return Optional.of(new Location(dir.resolve(newest), inTarget, how,
        target.survivesExit(base)));
  }

  /**
   * Whether JFR wrote a chunk into {@code repository}: a JVM started with a repository option
   * creates one directory when it reads the option and, when the recording starts, may create
   * another and leave the first empty — on a busy node seconds later, under another name (seen:
   * {@code 16_53_39_19006} empty, the chunks in {@code 16_53_50_19006}); followed, the empty one
   * gives nothing, ever.
   */
  private static boolean holdsChunk(Path repository) throws IOException {
    try (DirectoryStream<Path> chunks = Files.newDirectoryStream(repository, "*.jfr")) {
      return chunks.iterator().hasNext();
    } catch (java.nio.file.NoSuchFileException gone) {
      return false;
    }
  }
}
