package io.memfleet.collector.node.procfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The lines of {@code /proc/PID/cgroup}: {@code hierarchy-id:controllers:path}.
 *
 * <p>Cgroup v1 lists one line per hierarchy (the memory one names {@code memory} among its
 * controllers); cgroup v2 has the single line {@code 0::/path}. A hybrid host has both.
 *
 * <pre>{@code
 * ProcCgroups cgroups = ProcCgroups.parse(Files.readString(Path.of("/proc/self/cgroup")));
 * Optional<String> memory = cgroups.v1Path("memory");
 * }</pre>
 */
public record ProcCgroups(List<Entry> entries, int malformedLines) {

  /** One line: the hierarchy id, its controllers (empty for v2) and the cgroup path. */
  public record Entry(int hierarchyId, List<String> controllers, String path) {}

  public static ProcCgroups parse(String text) {
    List<Entry> entries = new ArrayList<>();
    int malformed = 0;
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      int first = line.indexOf(':');
      int second = first < 0 ? -1 : line.indexOf(':', first + 1);
      if (second < 0) {
        malformed++;
        continue;
      }
      try {
        int id = Integer.parseInt(line.substring(0, first));
        String controllers = line.substring(first + 1, second);
        entries.add(new Entry(id,
            controllers.isEmpty() ? List.of() : List.of(controllers.split(",")),
            line.substring(second + 1)));
      } catch (NumberFormatException e) {
        malformed++;
      }
    }
    return new ProcCgroups(List.copyOf(entries), malformed);
  }

  /** The path in the v1 hierarchy that has {@code controller}, e.g. {@code "memory"}. */
  public Optional<String> v1Path(String controller) {
    return entries.stream()
        .filter(e -> e.controllers().contains(controller))
        .map(Entry::path)
        .findFirst();
  }

  /** The path in the unified (v2) hierarchy. */
  public Optional<String> v2Path() {
    return entries.stream()
        .filter(e -> e.hierarchyId() == 0 && e.controllers().isEmpty())
        .map(Entry::path)
        .findFirst();
  }
}
