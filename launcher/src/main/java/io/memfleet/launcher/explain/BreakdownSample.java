package io.memfleet.launcher.explain;

import io.memfleet.pipeline.aggregate.BreakdownMeasure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code process_memory_1m} as explain reads it: the window's start (epoch seconds) and
 * the values of {@link #COLUMNS} by column name.
 *
 * @param epochSecond start of the one-minute window
 * @param values column → value; a column missing from the map reads as 0
 */
public record BreakdownSample(long epochSecond, Map<String, Long> values) {
  /**
   * The columns explain reads: every breakdown column the pipeline writes
   * ({@link BreakdownMeasure}), the live set and native remainder, and the window's RSS, limits
   * and counts.
   */
  public static final List<String> COLUMNS;

  static {
    List<String> columns = new ArrayList<>(List.of("rss_last", "cgroup_limit", "managed_limit",
        "threads_max", "goroutines_max", "live_set", "native_other"));
    for (BreakdownMeasure m : BreakdownMeasure.values()) {
      columns.add(m.column());
    }
    COLUMNS = Collections.unmodifiableList(columns);
  }

  public BreakdownSample {
    values = Map.copyOf(values);
  }

  /** The value of {@code column}; 0 when absent. */
  public long get(String column) {
    return values.getOrDefault(column, 0L);
  }
}
