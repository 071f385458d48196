package io.memfleet.collector.node.cgroup;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the memory cgroup hierarchies are mounted, found in {@code /proc/self/mountinfo}.
 *
 * <p>Hosts differ: pure v1 ({@code /sys/fs/cgroup/memory}), hybrid (v1 memory plus a v2 tree at
 * {@code /sys/fs/cgroup/unified} without the memory controller), pure v2
 * ({@code /sys/fs/cgroup}), and containers that mount them elsewhere. Reading mountinfo rather
 * than assuming paths handles all of them.
 *
 * <pre>{@code
 * CgroupMounts mounts = CgroupMounts.parse(Files.readString(Path.of("/proc/self/mountinfo")));
 * Optional<Path> v1 = mounts.v1Memory().map(CgroupMounts.Mount::mountPoint);
 * }</pre>
 */
public record CgroupMounts(Optional<Mount> v1Memory, Optional<Mount> v2) {

  /**
   * A mounted hierarchy. {@code root} is the cgroup the mount shows at its mount point ("/"
   * unless the mount was made inside a cgroup namespace or bind-mounted from a sub-tree).
   */
  public record Mount(Path mountPoint, String root) {

    /**
     * The directory of {@code cgroupPath} under this mount, empty when outside of it or when it
     * cannot name a file (a NUL character: {@code /proc/PID/cgroup} is not trusted input).
     */
    public Optional<Path> directoryOf(String cgroupPath) {
      String relative;
      if (root.equals("/")) {
        relative = cgroupPath;
      } else if (cgroupPath.equals(root) || cgroupPath.startsWith(root + "/")) {
        relative = cgroupPath.substring(root.length());
      } else {
        return Optional.empty();
      }
      String trimmed = relative.replaceAll("^/+", "");
      try {
        return Optional.of(trimmed.isEmpty() ? mountPoint : mountPoint.resolve(trimmed));
      } catch (InvalidPathException e) {
        return Optional.empty();
      }
    }
  }

  /** Parses mountinfo text (see proc(5)); unknown or odd lines are skipped. */
  public static CgroupMounts parse(String mountinfo) {
    Mount v1 = null;
    Mount v2 = null;
    for (String line : mountinfo.split("\n")) {
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] left = line.substring(0, dash).split(" ");
      String[] right = line.substring(dash + 3).split(" ");
      if (left.length < 5 || right.length < 3) {
        continue;
      }
      String fsType = right[0];
      Mount mount;
      try {
        mount = new Mount(Path.of(unescape(left[4])), unescape(left[3]));
      } catch (InvalidPathException e) {
        continue; // "\000" in the mount point: not a place to read files from
      }
      if (fsType.equals("cgroup") && v1 == null && hasOption(right[2], "memory")) {
        v1 = mount;
      } else if (fsType.equals("cgroup2") && v2 == null) {
        v2 = mount;
      }
    }
    return new CgroupMounts(Optional.ofNullable(v1), Optional.ofNullable(v2));
  }

  /** Fixed mount points, for tests over a fake tree or hosts without mountinfo. */
  public static CgroupMounts of(Path v1MemoryMount, Path v2Mount) {
    return new CgroupMounts(
        Optional.ofNullable(v1MemoryMount).map(p -> new Mount(p, "/")),
        Optional.ofNullable(v2Mount).map(p -> new Mount(p, "/")));
  }

  private static boolean hasOption(String options, String wanted) {
    for (String option : options.split(",")) {
      if (option.equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  /** mountinfo escapes space, tab, newline and backslash as three-digit octal. */
  static String unescape(String field) {
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 4 <= field.length() && isOctal(field.charAt(i + 1))
          && isOctal(field.charAt(i + 2)) && isOctal(field.charAt(i + 3))) {
        // no regular expression per escape: a long field of escapes compiled one each
        out.append((char) (((field.charAt(i + 1) - '0') << 6) | ((field.charAt(i + 2) - '0') << 3)
            | (field.charAt(i + 3) - '0')));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(char c) {
    return c >= '0' && c <= '7';
  }
}
