package io.memfleet.collector.ebpf.bpftrace;

import io.memfleet.collector.ebpf.stack.Frame;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One event printed by a memfleet bpftrace script: a name ({@code alloc}, {@code free},
 * {@code mmap}, {@code fault}, {@code rss}, {@code oom}, {@code stats} …), {@code key=value}
 * fields and, for events with a stack, the user stack innermost first.
 *
 * <p>Every script prints {@code ts=} (bpftrace {@code nsecs}, CLOCK_MONOTONIC nanoseconds) and
 * {@code pid=}.
 */
public record ProbeEvent(String name, Map<String, String> fields, List<Frame> stack) {

  public ProbeEvent {
    fields = Map.copyOf(fields);
    stack = List.copyOf(stack);
  }

  /** A field as a signed long; values printed unsigned that exceed Long.MAX wrap around. */
  public long longField(String key) {
    String value = fields.get(key);
    if (value == null) {
      throw new IllegalArgumentException("event '" + name + "' has no field '" + key + "'");
    }
    return value.startsWith("-") ? Long.parseLong(value) : Long.parseUnsignedLong(value);
  }

  public OptionalLong optionalLong(String key) {
    return fields.containsKey(key) ? OptionalLong.of(longField(key)) : OptionalLong.empty();
  }

  /** A field printed in hex ({@code %lx}), empty when absent or not a hex number. */
  public OptionalLong hexField(String key) {
    String value = fields.get(key);
    if (value == null || value.isEmpty() || value.length() > 16) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseUnsignedLong(value, 16));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  public String field(String key) {
    return fields.get(key);
  }

  /** bpftrace {@code nsecs}: CLOCK_MONOTONIC nanoseconds. */
  public long timestampNs() {
    return longField("ts");
  }

  public int pid() {
    return (int) longField("pid");
  }
}
