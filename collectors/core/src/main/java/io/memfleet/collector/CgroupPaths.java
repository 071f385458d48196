package io.memfleet.collector;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads container and pod identity out of a cgroup path, for the container runtimes memfleet
 * meets: containerd (CRI), CRI-O and Docker, under the systemd and the cgroupfs cgroup drivers.
 *
 * <pre>{@code
 * Optional<CgroupPaths.Container> c = CgroupPaths.container(
 *     "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f1e_2d3c.slice/"
 *         + "cri-containerd-4b1c...e9.scope");
 * c.get().engine();      // "containerd"
 * c.get().containerId(); // "4b1c...e9"
 * c.get().podUid();      // "0f1e-2d3c" (systemd escapes '-' as '_'; turned back here)
 * }</pre>
 *
 * <p>Why the path: it is the one place every collector can read (from {@code /proc/PID/cgroup})
 * without talking to the container runtime or the Kubernetes API.
 */
public final class CgroupPaths {

  /** What the path says about the process's container. */
  public record Container(String engine, String containerId, String podUid) {
    /** The pod UID, when the path is under a Kubernetes pod cgroup. */
    public Optional<String> pod() {
      return Optional.ofNullable(podUid);
    }
  }

  // container ids are 64 hex digits for every engine here
  private static final String ID = "([0-9a-f]{64})";
  private static final Pattern CONTAINERD_SCOPE = Pattern.compile("cri-containerd-" + ID
      + "\\.scope$");
  private static final Pattern CRIO_SCOPE = Pattern.compile("crio-" + ID + "\\.scope$");
  private static final Pattern DOCKER_SCOPE = Pattern.compile("docker-" + ID + "\\.scope$");
  private static final Pattern DOCKER_DIR = Pattern.compile("/docker/" + ID + "$");
  /** cgroupfs driver: {@code /kubepods[/qos]/pod<uid>/<id>}. */
  private static final Pattern KUBEPODS_DIR = Pattern.compile("/pod([0-9a-f-]{36})/" + ID + "$");
  /** systemd driver: {@code kubepods-<qos>-pod<uid with _>.slice}. */
  private static final Pattern POD_SLICE = Pattern.compile("-pod([0-9a-f_]{36})\\.slice");

  private CgroupPaths() {}

  /** The container the path belongs to, empty for host processes or unknown layouts. */
  public static Optional<Container> container(String cgroupPath) {
    if (cgroupPath == null || cgroupPath.isEmpty()) {
      return Optional.empty();
    }
    String path = cgroupPath.strip();
    String pod = podUid(path);
    Matcher m;
    if ((m = CONTAINERD_SCOPE.matcher(path)).find()) {
      return Optional.of(new Container("containerd", m.group(1), pod));
    }
    if ((m = CRIO_SCOPE.matcher(path)).find()) {
      return Optional.of(new Container("cri-o", m.group(1), pod));
    }
    if ((m = DOCKER_SCOPE.matcher(path)).find() || (m = DOCKER_DIR.matcher(path)).find()) {
      return Optional.of(new Container("docker", m.group(1), pod));
    }
    if ((m = KUBEPODS_DIR.matcher(path)).find() && path.contains("kubepods")) {
      // the cgroupfs driver does not say which engine made the container
      return Optional.of(new Container("cri", m.group(2), m.group(1)));
    }
    return Optional.empty();
  }

  private static String podUid(String path) {
    Matcher m = POD_SLICE.matcher(path);
    if (m.find()) {
      return m.group(1).replace('_', '-');
    }
    m = Pattern.compile("/pod([0-9a-f-]{36})(/|$)").matcher(path);
    return m.find() && path.contains("kubepods") ? m.group(1) : null;
  }

  /**
   * The memory cgroup path from the text of {@code /proc/PID/cgroup}: the cgroup v1 line whose
   * controller list has {@code memory}, else the cgroup v2 line {@code 0::PATH}; empty when
   * neither is there.
   */
  public static Optional<String> memoryCgroup(String procCgroup) {
    String v2 = null;
    for (String line : procCgroup.split("\n")) {
      int first = line.indexOf(':');
      int second = first < 0 ? -1 : line.indexOf(':', first + 1);
      if (second < 0) {
        continue;
      }
      String controllers = line.substring(first + 1, second);
      String path = line.substring(second + 1).strip();
      if (("," + controllers + ",").contains(",memory,")) {
        return Optional.of(path);
      }
      if (line.startsWith("0::")) {
        v2 = path;
      }
    }
    return Optional.ofNullable(v2);
  }
}
