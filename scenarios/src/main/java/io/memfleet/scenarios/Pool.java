package io.memfleet.scenarios;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The memory pool a scenario grows ({@code expect-pool}), in the vocabulary of memfleet's memory
 * breakdown: what a correct diagnosis names as the pool that grows.
 */
public enum Pool {
  /** Managed heap, JVM or Go. */
  HEAP("heap"),
  METASPACE("metaspace"),
  CODE_CACHE("code-cache"),
  DIRECT_BUFFERS("direct-buffers"),
  THREADS("threads"),
  GOROUTINES("goroutines"),
  MALLOC("malloc"),
  MMAP("mmap"),
  PAGE_CACHE("page-cache"),
  SHMEM("shmem"),
  /** Resident memory no source attributes. */
  NATIVE("native"),
  /** Nothing grows: the pool of a hard negative. */
  NONE("none");

  private final String id;

  Pool(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /**
   * The pool named {@code id}.
   *
   * @throws IllegalArgumentException naming the known pools when there is none by that name
   */
  public static Pool of(String id) {
    for (Pool p : values()) {
      if (p.id.equals(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown pool '" + id + "' (known: "
        + Arrays.stream(values()).map(Pool::id).collect(Collectors.joining(", ")) + ")");
  }

  @Override
  public String toString() {
    return id;
  }
}
