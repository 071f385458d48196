package io.memfleet.collector.node.procfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the per-process files of a procfs root ({@code /proc}, or a directory of captured
 * files in tests).
 *
 * <p>Processes come and go while they are read, so every read that fails because the process
 * vanished (no such file, ESRCH on {@code smaps_rollup} of a dying task) gives an empty result;
 * other I/O errors are counted in {@link #readErrors()} and give empty too. Nothing here throws
 * for a process that went away.
 *
 * <pre>{@code
 * ProcfsReader proc = new ProcfsReader(Path.of("/proc"));
 * for (int pid : proc.pids()) {
 *   proc.status(pid).ifPresent(s -> System.out.println(pid + " " + s.vmRssBytes()));
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ProcfsReader {
  /** {@code ProcessLifecycle.cmdline} is truncated to 1 KiB. */
  static final int CMDLINE_MAX = 1024;

  private final Path root;
  private final AtomicLong readErrors = new AtomicLong();

  public ProcfsReader(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** Numeric entries of the root, in directory order. */
  public List<Integer> pids() throws IOException {
    List<Integer> pids = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(root)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.isEmpty() && Character.isDigit(name.charAt(0)) && name.chars()
            .allMatch(Character::isDigit)) {
          pids.add(Integer.parseInt(name));
        }
      }
    }
    return pids;
  }

  public Optional<ProcStat> stat(int pid) {
    return read(pid, "stat").flatMap(ProcStat::parse);
  }

  public Optional<ProcStatus> status(int pid) {
    return read(pid, "status").map(ProcStatus::parse);
  }

  public Optional<SmapsRollup> smapsRollup(int pid) {
    return read(pid, "smaps_rollup").map(SmapsRollup::parse);
  }

  public Optional<ProcCgroups> cgroups(int pid) {
    return read(pid, "cgroup").map(ProcCgroups::parse);
  }

  /** The command line with NULs as spaces, truncated to 1 KiB; empty for kernel threads. */
  public Optional<String> cmdline(int pid) {
    return read(pid, "cmdline")
        .map(s -> s.replace('\0', ' ').strip())
        .filter(s -> !s.isEmpty())
        .map(s -> s.length() > CMDLINE_MAX ? s.substring(0, CMDLINE_MAX) : s);
  }

  /** I/O errors other than "the process is gone" since construction. */
  public long readErrors() {
    return readErrors.get();
  }

  private Optional<String> read(int pid, String file) {
    Path path = root.resolve(Integer.toString(pid)).resolve(file);
    try {
      return Optional.of(Files.readString(path, StandardCharsets.UTF_8));
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // a task that exits while being read answers ESRCH, or its directory is gone by now
      boolean gone = String.valueOf(e.getMessage()).contains("No such process")
          || !Files.isDirectory(path.getParent());
      if (!gone) {
        readErrors.incrementAndGet();
      }
      return Optional.empty();
    }
  }
}
