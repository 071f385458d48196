package io.memfleet.collector.node.go;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Go heap profile in the legacy text format ({@code /debug/pprof/heap?debug=1}, written by
 * {@code runtime/pprof.writeHeapInternal}): what each allocating stack still holds as of the
 * most recently completed GC.
 *
 * <pre>{@code
 * HeapProfile p = HeapProfile.parse(body);
 * for (HeapProfile.StackUsage s : p.top(16)) { s.frames(); s.inUseBytes(); }
 * }</pre>
 *
 * <p>Format: a header {@code heap profile: INUSE_OBJS: INUSE_BYTES [ALLOC_OBJS: ALLOC_BYTES] @
 * heap/2*MemProfileRate}, then per record {@code INUSE_OBJS: INUSE_BYTES [ALLOC_OBJS:
 * ALLOC_BYTES] @ PC PC ...} followed by one {@code #\tPC\tFUNC+0xOFF\tFILE:LINE} line per frame
 * (innermost first; leading {@code runtime.*} frames such as {@code mallocgc} are already left
 * out by the runtime unless the stack has nothing else), a blank line, and at the end
 * {@code # runtime.MemStats} comment lines, ignored here.
 *
 * <p>Scaling: the runtime samples one allocation per MemProfileRate bytes on average (512 KiB by
 * default) and the text shows the raw sampled counts. As pprof does for this format (its legacy
 * parser reads {@code heap/N} as a sampling rate of N/2 and scales every record with the
 * runtime's own {@code scaleHeapSample}), each record's in-use objects and bytes are multiplied
 * by {@code 1 / (1 - exp(-avgSize / rate))}, avgSize = bytes / objects of the record: the
 * inverse of the probability that an allocation of that size was sampled. Records are scaled
 * one by one, then summed by stack (function names), as {@code go tool pprof -inuse_space}
 * shows them.
 *
 * <p>Malformed record lines are counted in {@link #malformedLines()}, never fatal; a body without
 * the header is an {@link IllegalArgumentException}.
 */
public final class HeapProfile {
  private static final Pattern HEADER = Pattern.compile(
      "^heap profile: *(\\d+): *(\\d+) *\\[ *(\\d+): *(\\d+) *\\] *@ *heap(?:/(\\d+))?\\s*$");
  private static final Pattern RECORD = Pattern.compile(
      "^(\\d+): (\\d+) \\[(\\d+): (\\d+)\\] @((?: 0x[0-9a-f]+)*)\\s*$");
  private static final int MAX_FRAMES = 64;

  /**
   * Bytes and objects one stack holds, scaled; {@code sampledBytes} is the raw sampled figure.
   */
  public record StackUsage(List<String> frames, boolean truncated, long inUseObjects,
      long inUseBytes, long sampledBytes) {}

  private final long samplingRate;
  private final List<StackUsage> stacks;
  private final int malformedLines;

  private HeapProfile(long samplingRate, List<StackUsage> stacks, int malformedLines) {
    this.samplingRate = samplingRate;
    this.stacks = stacks;
    this.malformedLines = malformedLines;
  }

  /**
   * Parses a debug=1 heap profile.
   *
   * @throws IllegalArgumentException when the first line is not a heap profile header
   */
  public static HeapProfile parse(String body) {
    String[] lines = body.split("\n");
    Matcher h = lines.length == 0 ? null : HEADER.matcher(lines[0]);
    if (h == null || !h.matches()) {
      throw new IllegalArgumentException("not a heap profile (debug=1): "
          + (lines.length == 0 ? "" : abbreviate(lines[0])));
    }
    long rate = h.group(5) == null ? 0 : Long.parseLong(h.group(5)) / 2;
    Map<List<String>, long[]> byStack = new LinkedHashMap<>();
    Map<List<String>, Boolean> truncated = new LinkedHashMap<>();
    int malformed = 0;
    int i = 1;
    while (i < lines.length) {
      String line = lines[i];
      if (line.isBlank()) {
        i++;
        continue;
      }
      if (line.startsWith("# runtime.MemStats")) {
        break;
      }
      Matcher r = RECORD.matcher(line);
      if (!r.matches()) {
        malformed++;
        i++;
        continue;
      }
      List<String> frames = new ArrayList<>();
      i++;
      while (i < lines.length && lines[i].startsWith("#")
          && !lines[i].startsWith("# runtime.MemStats")) {
        String fn = GoStacks.frameFunction(lines[i]);
        if (fn != null) {
          frames.add(fn);
        }
        i++;
      }
      long inUseObjects;
      long inUseBytes;
      try {
        inUseObjects = Long.parseLong(r.group(1));
        inUseBytes = Long.parseLong(r.group(2));
      } catch (NumberFormatException e) {
        malformed++;
        continue;
      }
      if (inUseBytes == 0) {
        continue; // freed since: nothing outstanding
      }
      long[] scaled = scale(inUseObjects, inUseBytes, rate);
      List<String> key = dropRuntimeFrames(frames);
      boolean cut = key.size() > MAX_FRAMES;
      if (cut) {
        key = List.copyOf(key.subList(0, MAX_FRAMES));
      }
      long[] sum = byStack.computeIfAbsent(key, k -> new long[3]);
      sum[0] += scaled[0];
      sum[1] += scaled[1];
      sum[2] += inUseBytes;
      truncated.merge(key, cut, Boolean::logicalOr);
    }
    List<StackUsage> stacks = new ArrayList<>();
    byStack.forEach((frames, v) ->
        stacks.add(new StackUsage(frames, truncated.get(frames), v[0], v[1], v[2])));
    stacks.sort(Comparator.comparingLong(StackUsage::inUseBytes).reversed());
    return new HeapProfile(rate, List.copyOf(stacks), malformed);
  }

  /** {@code runtime/pprof.scaleHeapSample}: rate ≤ 1 means every allocation was recorded. */
  static long[] scale(long count, long size, long rate) {
    if (count == 0 || size == 0) {
      return new long[] {0, 0};
    }
    if (rate <= 1) {
      return new long[] {count, size};
    }
    double avgSize = (double) size / count;
    double scale = 1 / (1 - Math.exp(-avgSize / rate));
    return new long[] {(long) (count * scale), (long) (size * scale)};
  }

  /** Leading runtime frames (allocator internals) go, unless nothing else is left. */
  private static List<String> dropRuntimeFrames(List<String> frames) {
    int first = 0;
    while (first < frames.size() && frames.get(first).startsWith("runtime.")) {
      first++;
    }
    return List.copyOf(first == frames.size() ? frames : frames.subList(first, frames.size()));
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }

  /** The sampling rate in bytes (MemProfileRate), 0 when the header does not say. */
  public long samplingRate() {
    return samplingRate;
  }

  /** Every stack still holding memory, most bytes first. */
  public List<StackUsage> stacks() {
    return stacks;
  }

  /**
   * The {@code n} stacks holding the most, then (when there are more) one entry summing the rest
   * under the single frame {@link GoStacks#OTHER_STACKS}.
   */
  public List<StackUsage> top(int n) {
    if (stacks.size() <= n) {
      return stacks;
    }
    List<StackUsage> out = new ArrayList<>(stacks.subList(0, n));
    long objects = 0;
    long bytes = 0;
    long sampled = 0;
    for (StackUsage s : stacks.subList(n, stacks.size())) {
      objects += s.inUseObjects();
      bytes += s.inUseBytes();
      sampled += s.sampledBytes();
    }
    out.add(new StackUsage(List.of(GoStacks.OTHER_STACKS), false, objects, bytes, sampled));
    return out;
  }

  /** Lines that looked like neither a record, a frame nor the trailer. */
  public int malformedLines() {
    return malformedLines;
  }
}
