package io.memfleet.collector.ebpf.perf;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts events of one process for a short time with {@code perf stat -x, -e … -p PID -- sleep
 * S}: no samples, no stacks, nothing written per event — for a uprobe the trap remains, but
 * nothing else. The malloc escalation uses it to learn a process's allocator call rate before it
 * records every call.
 *
 * <pre>{@code
 * Map<String, Long> n = PerfStat.count(perf, pid, List.of("memfleet_9:malloc_9"),
 *     Duration.ofMillis(500));
 * }</pre>
 */
public final class PerfStat {
  private PerfStat() {}

  /** Event → count over {@code duration}; events perf could not count are left out. */
  public static Map<String, Long> count(Path perf, int pid, List<String> events,
      Duration duration) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(perf.toString(), "stat", "-x", ",", "-p",
        Integer.toString(pid)));
    for (String e : events) {
      cmd.add("-e");
      cmd.add(e);
    }
    cmd.addAll(List.of("--", "sleep", Double.toString(duration.toMillis() / 1000.0)));
    PerfCommand.Result r = PerfCommand.run(cmd, duration.plusSeconds(30));
    if (r.exitCode() != 0) {
      throw new IOException("perf stat exited with " + r.exitCode() + ": " + r.output().trim());
    }
    return parse(r.output());
  }

  /** {@code perf stat -x,} lines: {@code count,unit,event,…}; "<not counted>" is skipped. */
  static Map<String, Long> parse(String output) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      String[] f = line.split(",", -1);
      if (f.length >= 3 && f[0].strip().matches("\\d+")) {
        counts.merge(f[2].strip(), Long.parseLong(f[0].strip()), Long::sum);
      }
    }
    return counts;
  }
}
