package io.memfleet.collector.ebpf.perf;

import io.memfleet.collector.ebpf.stack.ModuleMap;
import io.memfleet.collector.ebpf.stack.Stacks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Call chains folded into {@code outer;…;inner} strings with summed sample periods — the form
 * flame graphs read and the quickest way to see where faults or allocations come from.
 *
 * <pre>{@code
 * FoldedStacks folded = new FoldedStacks();
 * new PerfScriptParser(folded::add).parse(reader);
 * folded.top(10).forEach(e -> System.out.println(e.getKey() + " " + e.getValue()));
 * }</pre>
 *
 * <p>perf script prints module-relative addresses for unsymbolised frames, so they are folded as
 * {@code module+0xoffset} without a module map. Not thread-safe.
 */
public final class FoldedStacks {
  private final Map<String, Long> weights = new LinkedHashMap<>();

  /** Adds one sample, weighted by its period. */
  public void add(PerfSample sample) {
    weights.merge(Stacks.folded(Stacks.frameNames(sample.frames(), ModuleMap.empty())),
        sample.period(), Long::sum);
  }

  /** Folded stack → summed period. */
  public Map<String, Long> weights() {
    return Map.copyOf(weights);
  }

  /** The heaviest stacks first. */
  public List<Map.Entry<String, Long>> top(int n) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>(weights.entrySet());
    entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
    return List.copyOf(entries.subList(0, Math.min(n, entries.size())));
  }

  /** {@code stack weight} lines, heaviest first. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Long> e : top(weights.size())) {
      sb.append(e.getKey()).append(' ').append(e.getValue()).append('\n');
    }
    return sb.toString();
  }
}
