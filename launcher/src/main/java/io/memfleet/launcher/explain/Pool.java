package io.memfleet.launcher.explain;

import java.util.function.ToLongFunction;

/**
 * The pools explain stacks up to the resident set, named as memfleet's pool vocabulary
 * ({@code io.memfleet.event.MemoryPool}) names them, each computed from a {@link BreakdownSample}.
 * Together they are the process's RSS: {@link #NATIVE} is what the others leave of it.
 */
public enum Pool {
  /** The managed heap as the OS holds it: committed, less what Go released. */
  HEAP("heap, committed", s -> Math.max(0, s.get("heap_committed") - s.get("heap_released"))),
  METASPACE("metaspace", s -> s.get("metaspace")),
  CLASS_SPACE("class space", s -> s.get("class_space")),
  CODE_CACHE("code cache", s -> s.get("code_cache")),
  GC_METADATA("GC metadata", s -> s.get("gc_metadata")),
  DIRECT_BUFFERS("direct buffers", s -> s.get("direct_buffers")),
  MAPPED_BUFFERS("mapped buffers", s -> s.get("mapped_buffers")),
  THREAD_STACKS("thread stacks", s -> s.get("thread_stacks")),
  GOROUTINE_STACKS("goroutine stacks", s -> s.get("goroutine_stacks")),
  RUNTIME_OTHER("runtime other", s -> s.get("runtime_other")),
  /** RSS less every pool above (malloc, mmap, cgo, JNI): the pipeline's native_other. */
  NATIVE("native, the rest of RSS", s -> s.get("native_other"));

  private final String label;
  private final ToLongFunction<BreakdownSample> bytes;

  Pool(String label, ToLongFunction<BreakdownSample> bytes) {
    this.label = label;
    this.bytes = bytes;
  }

  /** What the pool is, in a few words. */
  public String label() {
    return label;
  }

  /** The pool's size in {@code s}, bytes. */
  public long bytes(BreakdownSample s) {
    return bytes.applyAsLong(s);
  }
}
