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
      // read by hand: an exception per odd line would cost a stack trace each
      long id = hierarchyId(line, first);
      if (id == NOT_AN_INT) {
        malformed++;
        continue;
      }
      String controllers = line.substring(first + 1, second);
      entries.add(new Entry((int) id,
          controllers.isEmpty() ? List.of() : List.of(controllers.split(",")),
          line.substring(second + 1)));
    }
    return new ProcCgroups(List.copyOf(entries), malformed);
  }

  /** What {@link #hierarchyId} returns for text {@link Integer#parseInt} would reject. */
  private static final long NOT_AN_INT = Long.MIN_VALUE;

  /**
   * {@code Integer.parseInt(line.substring(0, end))}, or {@link #NOT_AN_INT} where it would
   * throw: a sign, then decimal digits (any script, as {@code parseInt} takes), within int.
   */
  private static long hierarchyId(String line, int end) {
    int i = 0;
    boolean negative = false;
    if (end > 0 && (line.charAt(0) == '-' || line.charAt(0) == '+')) {
      negative = line.charAt(0) == '-';
      i = 1;
    }
    if (i == end) {
      return NOT_AN_INT;
    }
    long n = 0;
    for (; i < end; i++) {
      int digit = Character.digit(line.charAt(i), 10);
      if (digit < 0) {
        return NOT_AN_INT;
      }
      n = n * 10 + digit;
      if (n > 1L << 31) { // past both ends of int: stop before the long overflows too
        return NOT_AN_INT;
      }
    }
    n = negative ? -n : n;
    return n < Integer.MIN_VALUE || n > Integer.MAX_VALUE ? NOT_AN_INT : n;
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
