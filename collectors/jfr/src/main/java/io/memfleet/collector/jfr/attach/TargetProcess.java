package io.memfleet.collector.jfr.attach;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A process of this host seen from outside, through procfs: its pid in its own namespace, its
 * start (so a reused pid is not taken for it), its command line and environment, and its file
 * system — which may be another mount namespace (a container), reached through
 * {@code /proc/PID/root}.
 *
 * <pre>{@code
 * TargetProcess jvm = TargetProcess.of(Path.of("/proc"), pid, List.of(Path.of("/var/lib/memfleet/jfr")));
 * Path repo = jvm.path("/var/lib/memfleet/jfr/2024_01_02_03_04_05_1");  // as this process reaches it
 * }</pre>
 *
 * <p>{@link #path(String)} maps a path as the target sees it to one this process can open: the
 * path itself when both share a mount namespace or the path lies under a <em>shared root</em> (a
 * directory mounted at the same path in both, e.g. a hostPath volume in the JVM's pod and in the
 * collector's DaemonSet); otherwise {@code /proc/PID/root/…}, which is gone with the process.
 */
public final class TargetProcess {
  private final Path procRoot;
  private final int pid;
  private final int namespacePid;
  private final long startTicks;
  private final boolean sameMountNamespace;
  private final List<Path> sharedRoots;

  private TargetProcess(Path procRoot, int pid, int namespacePid, long startTicks,
      boolean sameMountNamespace, List<Path> sharedRoots) {
    this.procRoot = procRoot;
    this.pid = pid;
    this.namespacePid = namespacePid;
    this.startTicks = startTicks;
    this.sameMountNamespace = sameMountNamespace;
    this.sharedRoots = sharedRoots;
  }

  /**
   * Reads what is needed now (namespace pid, start, mount namespace).
   *
   * @throws NoSuchFileException when the process does not exist
   */
  public static TargetProcess of(Path procRoot, int pid, List<Path> sharedRoots)
      throws IOException {
    Objects.requireNonNull(procRoot, "procRoot");
    Path dir = procRoot.resolve(Integer.toString(pid));
    long start = startTicks(Files.readString(dir.resolve("stat")));
    boolean sameNs;
    try {
      sameNs = Files.readSymbolicLink(dir.resolve("ns/mnt"))
          .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")));
    } catch (IOException | UnsupportedOperationException e) {
      sameNs = false; // cannot tell: go through /proc/PID/root, which is right either way
    }
    return new TargetProcess(procRoot, pid, HotSpotAttach.namespacePid(procRoot, pid), start,
        sameNs, List.copyOf(sharedRoots));
  }

  public int pid() {
    return pid;
  }

  /** The pid the process sees for itself (JFR names its repository after it). */
  public int namespacePid() {
    return namespacePid;
  }

  /** Field 22 of {@code /proc/PID/stat}: clock ticks since boot when the process started. */
  public long startTicks() {
    return startTicks;
  }

  public Path procRoot() {
    return procRoot;
  }

  /** True while this pid still is this process (same start), and not a zombie. */
  public boolean isAlive() {
    try {
      String stat = Files.readString(procRoot.resolve(pid + "/stat"));
      return startTicks(stat) == startTicks && state(stat) != 'Z' && state(stat) != 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Where this process reaches {@code targetPath} of the target's file system. */
  public Path path(String targetPath) {
    Path p = Path.of(targetPath);
    if (sameMountNamespace || underSharedRoot(p)) {
      return p;
    }
    return procRoot.resolve(pid + "/root").resolve(Path.of("/").relativize(p.toAbsolutePath()));
  }

  /** Whether {@link #path} of {@code targetPath} stays reachable after the target exits. */
  public boolean survivesExit(String targetPath) {
    return sameMountNamespace || underSharedRoot(Path.of(targetPath));
  }

  private boolean underSharedRoot(Path p) {
    Path n = p.toAbsolutePath().normalize();
    return sharedRoots.stream().anyMatch(r -> n.startsWith(r.toAbsolutePath().normalize()));
  }

  /** The command line, {@code argv[0]} first. */
  public List<String> cmdline() throws IOException {
    byte[] raw = Files.readAllBytes(procRoot.resolve(pid + "/cmdline"));
    List<String> args = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == 0) {
        args.add(new String(raw, from, i - from, StandardCharsets.UTF_8));
        from = i + 1;
      }
    }
    if (from < raw.length) {
      args.add(new String(raw, from, raw.length - from, StandardCharsets.UTF_8));
    }
    return args;
  }

  /**
   * These variables of the process's environment (as it was at exec); unreadable without the
   * process's user or root, then empty.
   */
  public Map<String, String> environment(Set<String> names) {
    Map<String, String> env = new HashMap<>();
    byte[] raw;
    try {
      raw = Files.readAllBytes(procRoot.resolve(pid + "/environ"));
    } catch (IOException e) {
      return env;
    }
    int from = 0;
    for (int i = 0; i <= raw.length; i++) {
      if (i == raw.length || raw[i] == 0) {
        String kv = new String(raw, from, i - from, StandardCharsets.UTF_8);
        int eq = kv.indexOf('=');
        if (eq > 0 && names.contains(kv.substring(0, eq))) {
          env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        from = i + 1;
      }
    }
    return env;
  }

  static long startTicks(String stat) throws IOException {
    String[] rest = afterComm(stat);
    if (rest.length < 20) {
      throw new IOException("short /proc/PID/stat");
    }
    return Long.parseLong(rest[19]);
  }

  private static char state(String stat) throws IOException {
    return afterComm(stat)[0].charAt(0);
  }

  /** The fields after {@code (comm)}, which may hold spaces and parentheses itself. */
  private static String[] afterComm(String stat) throws IOException {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      throw new IOException("malformed /proc/PID/stat");
    }
    return stat.substring(close + 1).strip().split(" +");
  }

  @Override
  public String toString() {
    return "pid " + pid + (namespacePid != pid ? " (" + namespacePid + " in its namespace)" : "");
  }
}
