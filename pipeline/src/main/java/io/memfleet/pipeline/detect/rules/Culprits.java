package io.memfleet.pipeline.detect.rules;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The frame of a stack that an on-call person should look at: the innermost one that belongs to
 * the program, not to the allocator, the C library, the Go runtime or the JDK — the way a
 * profiler's "first application frame" works.
 *
 * <pre>{@code
 * Culprits.frame(List.of("__memset_avx2", "malloc", "leak_request_buffer", "main"));
 * // "leak_request_buffer"
 * }</pre>
 */
public final class Culprits {
  /** Frames that allocate, map or copy on the program's behalf (Go's syscall wrappers too). */
  private static final Pattern MACHINERY = Pattern.compile(
      "^(?:__.*|_int_.*|_dl_.*|(?:malloc|calloc|realloc|free|sysmalloc|tcache|arena"
          + "|mmap(?:64)?|munmap|brk|sbrk|mem(?:set|cpy|move|cmp)|str(?:dup|ndup)|operator new)\\b.*"
          + "|runtime[./].*|internal/.*|syscall\\..*|golang\\.org/x/sys/.*|reflect\\..*|sync\\..*"
          + "|java\\..*|javax\\..*|jdk\\..*|sun\\..*|\\[unknown\\].*"
          + "|.*\\.so(?:\\.[0-9]+)*\\+0x[0-9a-f]+)$");

  private Culprits() {}

  /** The innermost program frame, or the innermost frame when every one is machinery. */
  public static String frame(List<String> frames) {
    String f = programFrame(frames);
    return f != null ? f : frames.isEmpty() ? null : frames.get(0);
  }

  /** The innermost program frame, or null when every frame is machinery. */
  public static String programFrame(List<String> frames) {
    for (String f : frames) {
      if (!MACHINERY.matcher(f).matches()) {
        return f;
      }
    }
    return null;
  }
}
