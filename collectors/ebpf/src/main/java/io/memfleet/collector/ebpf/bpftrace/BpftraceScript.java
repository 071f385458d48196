package io.memfleet.collector.ebpf.bpftrace;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bpftrace scripts shipped inside the collector, as resources next to this class, and their
 * rendering: each script holds {@code ${NAME}} placeholders (probe paths, the target pid,
 * sampling constants) that must be literals in bpftrace, so they are substituted before the
 * script is handed to bpftrace.
 *
 * <pre>{@code
 * String text = BpftraceScript.MALLOC.render(Map.of("LIBC", "/usr/lib/x86_64-linux-gnu/libc.so.6",
 *     "PID", "1234", "SAMPLE_EVERY", "10", "MIN_SIZE", "65536", "STACK_DEPTH", "16",
 *     "STATS_SECONDS", "5"));
 * }</pre>
 */
public enum BpftraceScript {
  /** Sampled malloc/calloc/realloc with stacks and the frees of sampled blocks (uprobes). */
  MALLOC("malloc", true),
  /** mmap, munmap, mremap and brk (syscall tracepoints). */
  MMAP("mmap", true),
  /** Sampled user page faults with stacks (software perf events). */
  FAULTS("faults", true),
  /** Resident memory counters (kmem:rss_stat). */
  RSS("rss", true),
  /** OOM kills on the whole host (oom:mark_victim). */
  OOM("oom", false);

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");

  private final String id;
  private final boolean perProcess;

  BpftraceScript(String id, boolean perProcess) {
    this.id = id;
    this.perProcess = perProcess;
  }

  /** Short name used on the command line ({@code --scripts malloc,mmap}). */
  public String id() {
    return id;
  }

  /** Whether the script watches one target process (needs a pid) or the whole host. */
  public boolean perProcess() {
    return perProcess;
  }

  public static BpftraceScript byId(String id) {
    for (BpftraceScript s : values()) {
      if (s.id.equalsIgnoreCase(id.trim())) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown script '" + id + "'; known: malloc, mmap, "
        + "faults, rss, oom");
  }

  /** The script text as shipped, placeholders included. */
  public String template() {
    String resource = id + ".bt";
    try (InputStream in = BpftraceScript.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("script resource missing from the jar: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Names of the placeholders the template uses. */
  public Set<String> placeholders() {
    Set<String> names = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(template());
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /**
   * The template with every placeholder replaced.
   *
   * @throws IllegalArgumentException when a placeholder has no value, or a value could break
   *     out of its place in the script (anything but a path, a number or a word)
   */
  public String render(Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template());
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("script " + id + " needs a value for ${" + m.group(1)
            + "}");
      }
      if (!value.matches("[A-Za-z0-9_./+-]+")) {
        throw new IllegalArgumentException("unsafe value for ${" + m.group(1) + "}: " + value);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
