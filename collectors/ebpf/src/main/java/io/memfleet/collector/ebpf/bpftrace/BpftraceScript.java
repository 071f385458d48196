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
 * script is handed to bpftrace. A line ending in {@code //@if NAME} is kept only when NAME is
 * {@code 1}, one ending in {@code //@if !NAME} only when it is not (bpftrace 0.17 has no
 * preprocessor: this is how a script has a variant for kernels without BTF).
 *
 * <p>The process scripts take {@code PID}: the target, or 0 for every process on the host but
 * the collector ({@code SELF_PID}), its bpftrace and perf children and the idle task.
 *
 * <pre>{@code
 * String text = BpftraceScript.MALLOC.render(Map.of("LIBC", "/usr/lib/x86_64-linux-gnu/libc.so.6",
 *     "PID", "1234", "SAMPLE_EVERY", "10", "MIN_SIZE", "65536", "STACK_DEPTH", "16",
 *     "STATS_SECONDS", "5"));
 * }</pre>
 */
public enum BpftraceScript {
  /** Sampled malloc/calloc/realloc with stacks and the frees of sampled blocks (uprobes). */
  MALLOC("malloc", true, true),
  /** mmap, munmap, mremap and brk (syscall tracepoints), one process or all. */
  MMAP("mmap", true, false),
  /** Sampled user page faults with stacks (software perf events), one process or all. */
  FAULTS("faults", true, false),
  /** Resident memory counters (kmem:rss_stat). */
  RSS("rss", true, true),
  /** OOM kills on the whole host (oom:mark_victim). */
  OOM("oom", false, false);

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");
  private static final Pattern CONDITION = Pattern.compile("\\s*//@if (!?)([A-Z_]+)\\s*$");

  private final String id;
  private final boolean perProcess;
  private final boolean needsPid;

  BpftraceScript(String id, boolean perProcess, boolean needsPid) {
    this.id = id;
    this.perProcess = perProcess;
    this.needsPid = needsPid;
  }

  /** Short name used on the command line ({@code --scripts malloc,mmap}). */
  public String id() {
    return id;
  }

  /** Whether the script reports about processes (takes {@code PID}) or about the host (oom). */
  public boolean perProcess() {
    return perProcess;
  }

  /**
   * Whether the script can only watch one target process: the malloc uprobes trap on every call
   * (host-wide that is every allocation of every process), and rss learns one process's mm.
   */
  public boolean needsPid() {
    return needsPid;
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

  /** Names of the placeholders and line conditions the template uses. */
  public Set<String> placeholders() {
    Set<String> names = new TreeSet<>();
    String text = template();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    for (String line : text.split("\n", -1)) {
      Matcher c = CONDITION.matcher(line);
      if (c.find()) {
        names.add(c.group(2));
      }
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
    Matcher m = PLACEHOLDER.matcher(conditional(template(), values));
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

  /** The lines whose {@code //@if} condition holds, without the marker. */
  private String conditional(String text, Map<String, String> values) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      Matcher c = CONDITION.matcher(line);
      if (!c.find()) {
        out.append(line).append('\n');
        continue;
      }
      String value = values.get(c.group(2));
      if (value == null) {
        throw new IllegalArgumentException("script " + id + " needs a value for //@if "
            + c.group(2));
      }
      boolean keep = "1".equals(value) != c.group(1).equals("!");
      if (keep) {
        out.append(line, 0, c.start()).append('\n');
      }
    }
    return out.substring(0, out.length() - 1);
  }
}
