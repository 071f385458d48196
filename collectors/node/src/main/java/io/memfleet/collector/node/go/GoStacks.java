package io.memfleet.collector.node.go;

import io.memfleet.event.StackTrace;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Go stacks as memfleet publishes them: function names, innermost first, hashed like every other
 * collector's stacks (FNV-1a 64 over the frames joined by newlines), so a stack groups the same
 * way across hosts and restarts.
 */
public final class GoStacks {
  /** The single frame of the entry that sums every stack beyond the top N. */
  public static final String OTHER_STACKS = "(other stacks)";

  private GoStacks() {}

  public static StackTrace of(List<String> frames, boolean truncated) {
    return StackTrace.newBuilder().setHash(hash(frames)).setFrames(List.copyOf(frames))
        .setTruncated(truncated).build();
  }

  /** FNV-1a 64 over the frames joined by '\n' (the JFR and eBPF collectors hash the same way). */
  public static long hash(List<String> frames) {
    long h = 0xcbf29ce484222325L;
    boolean first = true;
    for (String frame : frames) {
      if (!first) {
        h = (h ^ '\n') * 0x100000001b3L;
      }
      first = false;
      for (byte b : frame.getBytes(StandardCharsets.UTF_8)) {
        h = (h ^ (b & 0xff)) * 0x100000001b3L;
      }
    }
    return h;
  }

  /**
   * The function of a pprof text frame line ({@code #\t0x6854de\tmain.f+0x1e\tfile.go:123}):
   * {@code main.f}; the address when the frame has no symbol ({@code #\t0x6854de}); null for
   * anything else (labels, blank).
   */
  static String frameFunction(String line) {
    if (!line.startsWith("#")) {
      return null;
    }
    String[] f = line.substring(1).strip().split("\\s+");
    if (f.length == 0 || !f[0].startsWith("0x")) {
      return null; // "# labels: {...}" and the like
    }
    if (f.length == 1) {
      return f[0];
    }
    String fn = f[1];
    int plus = fn.lastIndexOf("+0x");
    return plus > 0 ? fn.substring(0, plus) : fn;
  }
}
