package io.memfleet.pipeline.model;

/**
 * What counts as a real memory limit: cgroup v1 reports "no limit" as about 2^63 rounded to
 * pages, a JVM without a heap maximum reports its address space, zero or a negative value means
 * none was read.
 *
 * <pre>{@code
 * if (Limits.isLimit(r.getCgroupLimitBytes())) { ... }
 * }</pre>
 */
public final class Limits {
  /** Values at or above this are "no limit". */
  public static final long UNLIMITED = 1L << 60;

  private Limits() {}

  /** Whether {@code bytes} is a limit a process can reach. */
  public static boolean isLimit(Long bytes) {
    return bytes != null && bytes > 0 && bytes < UNLIMITED;
  }
}
