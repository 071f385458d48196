package io.memfleet.collector.ebpf.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * perf uprobes on libc's allocator, for {@code perf record -e probe_libc:malloc}. There is no
 * upstream {@code mem-alloc} tracepoint: allocations are only visible through uprobes.
 *
 * <pre>{@code
 * String event = PerfProbes.addMallocProbe(perf, libc);   // "probe_libc:malloc", size=%di
 * try { ... record event ... } finally { PerfProbes.delete(perf, event); }
 * }</pre>
 *
 * <p>The size argument is read from the first argument register (x86-64 System V), so the
 * probe does not need libc debug info. Stacks recorded at function entry skip the direct caller
 * when it uses frame pointers (the return address is not yet in a frame).
 *
 * <p>{@link #addAllocatorProbes} adds the whole set the malloc escalation records — entry and
 * return of malloc, calloc and realloc, and free — in a group of their own,
 * {@code memfleet_<collector pid>_<slot>}, so two collectors on a host never delete each other's probes
 * and a collector's leftovers are recognised after a kill -9 ({@link #staleGroups}). perf wants
 * event names unique across groups, so each name carries the same pid suffix
 * ({@code memfleet_812_0:malloc_812_0}, {@code memfleet_812_0:malloc_812_0__return}).
 */
public final class PerfProbes {
  public static final String MALLOC_EVENT = "probe_libc:malloc";
  /** Group names of {@link #addAllocatorProbes}: this prefix and the collector's pid. */
  public static final String GROUP_PREFIX = "memfleet_";
  private static final Pattern LISTED_GROUP = Pattern.compile("^\\s*(" + GROUP_PREFIX
      + "(\\d+)(?:_\\d+)*):\\S+");

  /** Where perf finds tracefs: its own mount point, then the one under debugfs. */
  public static final List<Path> TRACEFS_DIRS = List.of(Path.of("/sys/kernel/tracing"),
      Path.of("/sys/kernel/debug/tracing"));

  /** How long one perf probe command may take. */
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private PerfProbes() {}

  /**
   * Why {@code perf probe --add} cannot define a probe on this host, from tracefs's
   * {@code uprobe_events} (where perf writes probe definitions): not found, or not writable — a
   * read-only tracefs mount, as the shipped Kubernetes DaemonSet mounts it unless its
   * {@code malloc-escalation} component is added; null when it is writable.
   */
  public static String whyProbesCannotBeDefined(List<Path> tracefsDirs) {
    for (Path dir : tracefsDirs) {
      Path events = dir.resolve("uprobe_events");
      if (Files.exists(events)) {
        return Files.isWritable(events) ? null : events + " is not writable (tracefs mounted"
            + " read-only? In Kubernetes, add the component k8s/components/malloc-escalation)";
      }
    }
    return "no tracefs with uprobe_events at " + tracefsDirs;
  }

  /** Adds {@code probe_libc:malloc} with a {@code size} argument; returns the event name. */
  public static String addMallocProbe(Path perf, Path libc) throws IOException,
      InterruptedException {
    delete(perf, MALLOC_EVENT);
    run(List.of(perf.toString(), "probe", "-q", "-x", libc.toString(), "--add",
        "malloc size=%di:u64"));
    return MALLOC_EVENT;
  }

  /**
   * Adds entry and return probes of malloc, calloc and realloc and an entry probe of free in
   * {@code image} (the target's libc, or a static executable), in group
   * {@code memfleet_<tag>} ({@code tag}: the collector's pid, then {@code _} and digits if
   * it likes); returns the event names to record. Arguments come from registers
   * (x86-64 System V), so no debug info is needed. On failure the probes added are deleted.
   */
  public static List<String> addAllocatorProbes(Path perf, Path image, String tag)
      throws IOException, InterruptedException {
    if (!tag.matches("\\d+(?:_\\d+)*")) {
      throw new IllegalArgumentException("probe tag must be digits and underscores: " + tag);
    }
    String group = GROUP_PREFIX + tag;
    deleteGroup(perf, group);
    List<String> specs = List.of(
        "malloc_" + tag + "=malloc size=%di:u64",
        "malloc_" + tag + "=malloc%return ptr=$retval:x64",
        "calloc_" + tag + "=calloc nmemb=%di:u64 size=%si:u64",
        "calloc_" + tag + "=calloc%return ptr=$retval:x64",
        "realloc_" + tag + "=realloc old=%di:x64 size=%si:u64",
        "realloc_" + tag + "=realloc%return ptr=$retval:x64",
        "free_" + tag + "=free ptr=%di:x64");
    List<String> events = new ArrayList<>();
    try {
      for (String spec : specs) {
        run(List.of(perf.toString(), "probe", "-q", "-x", image.toString(), "--add",
            group + ":" + spec));
        String name = spec.substring(0, spec.indexOf('='));
        events.add(group + ":" + name + (spec.contains("%return") ? "__return" : ""));
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      deleteGroup(perf, group);
      throw e;
    }
    return List.copyOf(events);
  }

  /** Deletes every probe of a group ({@code perf probe --del 'GROUP:*'}); none is fine. */
  public static void deleteGroup(Path perf, String group) throws IOException,
      InterruptedException {
    delete(perf, group + ":*");
  }

  /**
   * Groups of {@link #addAllocatorProbes} in {@code perf probe -l} whose collector is no longer
   * running (killed before it could delete them).
   */
  public static List<String> staleGroups(Path perf) throws IOException, InterruptedException {
    String out = PerfCommand.run(List.of(perf.toString(), "probe", "-l"), TIMEOUT).output();
    List<String> stale = new ArrayList<>();
    for (String line : out.split("\n")) {
      Matcher m = LISTED_GROUP.matcher(line);
      if (m.find() && !stale.contains(m.group(1))
          && ProcessHandle.of(Long.parseLong(m.group(2))).map(h -> !h.isAlive()).orElse(true)) {
        stale.add(m.group(1));
      }
    }
    return stale;
  }

  /** Deletes a probe event; absent probes are fine. */
  public static void delete(Path perf, String event) throws IOException, InterruptedException {
    PerfCommand.run(List.of(perf.toString(), "probe", "-q", "--del", event), TIMEOUT);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    PerfCommand.Result r = PerfCommand.run(command, TIMEOUT);
    if (r.exitCode() != 0) {
      throw new IOException(r.describeFailure());
    }
  }
}
