package io.memfleet.collector.node.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Finds the process behind a Go target when the configuration does not name its pid: the one
 * listening on the target's TCP port, or the one holding a gctrace log file open.
 *
 * <p>Both work by scanning {@code /proc/PID/fd} links, which needs the same privileges as
 * reading the processes' memory (root, or the same user), and looks at this collector's network
 * namespace only ({@code /proc/net/tcp}). Not thread-safe only in that it is stateless.
 */
public final class ProcessFinder {
  private static final String LISTEN = "0A";

  private final Path procRoot;

  public ProcessFinder(Path procRoot) {
    this.procRoot = procRoot;
  }

  /** The process with a listening TCP socket (v4 or v6) on {@code port}. */
  public OptionalInt listeningOn(int port) {
    Set<String> inodes = new HashSet<>();
    for (String table : List.of("net/tcp", "net/tcp6")) {
      try {
        inodes.addAll(listeningInodes(Files.readString(procRoot.resolve(table)), port));
      } catch (IOException e) {
        // no IPv6, or no procfs net tables: try the other one
      }
    }
    if (inodes.isEmpty()) {
      return OptionalInt.empty();
    }
    return findFd(false, (fd, target) -> {
      if (!target.startsWith("socket:[")) {
        return false;
      }
      return inodes.contains(target.substring(8, target.length() - 1));
    });
  }

  /**
   * The process (lowest pid, never this one) that has {@code file} open for writing, e.g. as its
   * stderr. Readers (this collector's own follower, a {@code tail -f}) do not count.
   */
  public OptionalInt holding(Path file) {
    String wanted = file.toAbsolutePath().normalize().toString();
    return findFd(true, (fd, target) -> target.equals(wanted) && openForWriting(fd));
  }

  /** The access mode in {@code fdinfo}'s octal {@code flags}: O_WRONLY (1) or O_RDWR (2). */
  private static boolean openForWriting(Path fd) {
    Path info = fd.getParent().resolveSibling("fdinfo").resolve(fd.getFileName());
    try {
      for (String line : Files.readAllLines(info)) {
        if (line.startsWith("flags:")) {
          return (Long.parseLong(line.substring(6).strip(), 8) & 3) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // closed meanwhile, or an fdinfo without flags
    }
    return false;
  }

  /** Socket inodes in LISTEN state on {@code port} from a {@code /proc/net/tcp} table. */
  static Set<String> listeningInodes(String table, int port) {
    Set<String> inodes = new HashSet<>();
    String hexPort = String.format(":%04X", port);
    for (String line : table.split("\n")) {
      String[] f = line.trim().split("\\s+");
      // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
      if (f.length < 10 || !f[1].endsWith(hexPort) || !f[3].equals(LISTEN)) {
        continue;
      }
      inodes.add(f[9]);
    }
    return inodes;
  }

  private interface LinkTest {
    boolean matches(Path fd, String target);
  }

  private OptionalInt findFd(boolean skipSelf, LinkTest test) {
    int best = Integer.MAX_VALUE;
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(procRoot, "[0-9]*")) {
      for (Path proc : procs) {
        int pid;
        try {
          pid = Integer.parseInt(proc.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        if (pid < best && !(skipSelf && pid == self) && holds(proc.resolve("fd"), test)) {
          best = pid;
        }
      }
    } catch (IOException e) {
      return OptionalInt.empty();
    }
    return best == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(best);
  }

  private static boolean holds(Path fdDir, LinkTest test) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
      for (Path fd : fds) {
        try {
          if (test.matches(fd, Files.readSymbolicLink(fd).toString())) {
            return true;
          }
        } catch (IOException | UnsupportedOperationException e) {
          // fd closed while listing
        }
      }
    } catch (IOException e) {
      // process gone or not ours to look at
    }
    return false;
  }
}
