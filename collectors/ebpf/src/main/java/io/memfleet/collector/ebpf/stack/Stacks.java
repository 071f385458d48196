package io.memfleet.collector.ebpf.stack;

import io.memfleet.event.StackTrace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns raw tracer frames into memfleet {@link StackTrace}s: a symbol name where the tracer
 * found one, {@code module+0xoffset} where it did not, and a stable hash over the frame strings
 * so the same stack groups together across events, processes and hosts.
 *
 * <pre>{@code
 * StackTrace st = Stacks.toStackTrace(frames, ModuleMap.readOrEmpty(pid), 16);
 * }</pre>
 *
 * <p>Frames are symbol names without the {@code +offset} inside the function, so two call sites
 * in one function share a frame; that is the grouping people ask for ("which function leaks").
 */
public final class Stacks {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private Stacks() {}

  /** Frame strings, innermost first. */
  public static List<String> frameNames(List<Frame> frames, ModuleMap modules) {
    List<String> names = new ArrayList<>(frames.size());
    for (Frame f : frames) {
      names.add(frameName(f, modules));
    }
    return names;
  }

  /** The string for one frame: its symbol, else {@code module+0xoffset}. */
  public static String frameName(Frame f, ModuleMap modules) {
    if (f.symbol() != null) {
      return f.symbol();
    }
    if (modules.find(f.address()).isPresent()) {
      return modules.describe(f.address());
    }
    String module = f.moduleName();
    return (module == null ? "[unknown]" : module) + "+0x" + Long.toHexString(f.address());
  }

  /**
   * A {@link StackTrace}; {@code truncated} is set when the tracer returned exactly
   * {@code depthLimit} frames (the stack may have been longer).
   */
  public static StackTrace toStackTrace(List<Frame> frames, ModuleMap modules, int depthLimit) {
    List<String> names = frameNames(frames, modules);
    return StackTrace.newBuilder()
        .setHash(hash(names))
        .setFrames(new ArrayList<>(names))
        .setTruncated(depthLimit > 0 && frames.size() >= depthLimit)
        .build();
  }

  /** 64-bit FNV-1a over the UTF-8 frame strings, separated by newlines. */
  public static long hash(List<String> frameNames) {
    long h = FNV_OFFSET;
    for (String name : frameNames) {
      for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
        h ^= (b & 0xff);
        h *= FNV_PRIME;
      }
      h ^= '\n';
      h *= FNV_PRIME;
    }
    return h;
  }

  /** Folded form (outermost first, {@code ;}-separated), as flame-graph tools read it. */
  public static String folded(List<String> frameNamesInnermostFirst) {
    StringBuilder sb = new StringBuilder();
    for (int i = frameNamesInnermostFirst.size() - 1; i >= 0; i--) {
      if (sb.length() > 0) {
        sb.append(';');
      }
      sb.append(frameNamesInnermostFirst.get(i));
    }
    return sb.toString();
  }
}
