package io.memfleet.collector.node.go;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The goroutine profile in its grouped text form ({@code /debug/pprof/goroutine?debug=1},
 * {@code runtime/pprof.printCountProfile}): first {@code goroutine profile: total N}, then one
 * block per distinct stack, largest first: {@code COUNT @ PC PC ...}, one
 * {@code #	PC	FUNC+0xOFF	FILE:LINE} line per frame (innermost first: where the goroutines are
 * parked, the scheduler's own {@code runtime.gopark} left out by the runtime), optionally a
 * {@code # labels: {...}} line, and a blank line.
 *
 * <pre>{@code
 * OptionalLong goroutines = GoroutineProfile.total(httpBody);
 * List<GoroutineProfile.Group> parked = GoroutineProfile.groups(httpBody, 16);
 * }</pre>
 */
public final class GoroutineProfile {
  // at most 18 digits: a count that fits a long (no process has 10^18 goroutines)
  private static final Pattern TOTAL =
      Pattern.compile("^goroutine profile: total (\\d{1,18})\\s*$");
  private static final Pattern GROUP = Pattern.compile("^(\\d{1,18}) @((?: 0x[0-9a-f]+)*)\\s*$");
  private static final int MAX_FRAMES = 64;

  /** Goroutines sharing one stack. */
  public record Group(List<String> frames, boolean truncated, long count) {}

  /** Groups of a profile and the lines that could not be read. */
  public record Groups(List<Group> groups, int malformedLines) {}

  private GoroutineProfile() {}

  /** The total, empty when the first line is not the profile header (with a sane count). */
  public static OptionalLong total(String body) {
    int newline = body.indexOf('\n');
    Matcher m = TOTAL.matcher(newline < 0 ? body : body.substring(0, newline));
    return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }

  /**
   * The {@code n} largest groups (merged by function names: the same functions at different
   * lines are one place to look), then one entry summing the rest under the single frame
   * {@link GoStacks#OTHER_STACKS}. Lines that are neither a group header nor a frame are counted
   * in {@link Groups#malformedLines()}.
   */
  public static Groups groups(String body, int n) {
    String[] lines = body.split("\n");
    Map<List<String>, long[]> byStack = new LinkedHashMap<>();
    Map<List<String>, Boolean> truncated = new LinkedHashMap<>();
    int malformed = 0;
    int i = 1; // after the total
    while (i < lines.length) {
      String line = lines[i];
      if (line.isBlank()) {
        i++;
        continue;
      }
      Matcher g = GROUP.matcher(line);
      if (!g.matches()) {
        malformed++;
        i++;
        continue;
      }
      List<String> frames = new ArrayList<>();
      i++;
      while (i < lines.length && lines[i].startsWith("#")) {
        String fn = GoStacks.frameFunction(lines[i]);
        if (fn != null) {
          frames.add(fn);
        }
        i++;
      }
      long count;
      try {
        count = Long.parseLong(g.group(1));
      } catch (NumberFormatException e) {
        malformed++;
        continue;
      }
      boolean cut = frames.size() > MAX_FRAMES;
      List<String> key = List.copyOf(cut ? frames.subList(0, MAX_FRAMES) : frames);
      byStack.computeIfAbsent(key, k -> new long[1])[0] += count;
      truncated.merge(key, cut, Boolean::logicalOr);
    }
    List<Group> all = new ArrayList<>();
    byStack.forEach((frames, c) -> all.add(new Group(frames, truncated.get(frames), c[0])));
    all.sort(Comparator.comparingLong(Group::count).reversed());
    if (all.size() <= n) {
      return new Groups(List.copyOf(all), malformed);
    }
    List<Group> top = new ArrayList<>(all.subList(0, n));
    long rest = all.subList(n, all.size()).stream().mapToLong(Group::count).sum();
    top.add(new Group(List.of(GoStacks.OTHER_STACKS), false, rest));
    return new Groups(List.copyOf(top), malformed);
  }
}
