package io.memfleet.scenarios;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The detection rules a scenario label may name in {@code expect} and {@code allow}, by the name
 * an alert carries in its {@code rule} field.
 */
public enum Rule {
  LIVE_SET_GROWTH("live-set-growth"),
  GO_HEAP_GROWTH("go-heap-growth"),
  GOROUTINE_LEAK("goroutine-leak"),
  NATIVE_GROWTH("native-growth"),
  OUTSTANDING_GROWTH("outstanding-growth"),
  OOM_IMMINENT("oom-imminent"),
  GC_THRASHING("gc-thrashing"),
  THREAD_LEAK("thread-leak"),
  METASPACE_GROWTH("metaspace-growth"),
  DIRECT_BUFFER_GROWTH("direct-buffer-growth"),
  SHMEM_GROWTH("shmem-growth"),
  SLOW_LEAK("slow-leak");

  private final String id;

  Rule(String id) {
    this.id = id;
  }

  /** The rule's name as alerts spell it, e.g. {@code live-set-growth}. */
  public String id() {
    return id;
  }

  /**
   * The rule named {@code id}.
   *
   * @throws IllegalArgumentException naming the known rules when there is none by that name
   */
  public static Rule of(String id) {
    for (Rule r : values()) {
      if (r.id.equals(id)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown rule '" + id + "' (known: " + known() + ")");
  }

  static String known() {
    return Arrays.stream(values()).map(Rule::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
