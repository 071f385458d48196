package io.memfleet.pipeline.aggregate;

/**
 * One measure of a process's memory breakdown that a window keeps as its latest value (by event
 * time): the runtime's pools from {@code MemoryPools} (and {@code HeapSummary} for the heap), the
 * kernel's view from {@code ResidentMemory}. Where two sources report the same measure — JFR and
 * hsperfdata both report METASPACE, JFR heap summaries and hsperfdata both the heap — the later
 * reading wins, whichever source it came from.
 *
 * <p>The ordinal indexes {@link ProcessWindowAccumulator#latest}; {@link #column} is the column of
 * {@code process_memory_10s} / {@code process_memory_1m} (migration V004).
 */
public enum BreakdownMeasure {
  /** Managed heap in use (JVM heap used, Go HeapAlloc). */
  HEAP_USED("heap_used"),
  /** Managed heap committed from the OS (JVM committed, Go HeapSys, which includes released). */
  HEAP_COMMITTED("heap_committed"),
  /** JVM metaspace without the class space. */
  METASPACE("metaspace"),
  /** JVM compressed class space. */
  CLASS_SPACE("class_space"),
  /** JVM code cache. */
  CODE_CACHE("code_cache"),
  /** Go GC metadata (GCSys, spans, per-P caches). */
  GC_METADATA("gc_metadata"),
  /** JVM direct ByteBuffers. */
  DIRECT_BUFFERS("direct_buffers"),
  /** JVM mapped ByteBuffers. */
  MAPPED_BUFFERS("mapped_buffers"),
  /** Thread stacks (JVM: Java threads × stack size, an upper bound). */
  THREAD_STACKS("thread_stacks"),
  /** Java threads (THREAD_STACKS count, JFR thread statistics). */
  THREAD_COUNT("thread_count"),
  /** Go goroutine stacks in use. */
  GOROUTINE_STACKS("goroutine_stacks"),
  /** Goroutines (GOROUTINE_STACKS count, goroutine profile). */
  GOROUTINE_COUNT("goroutine_count"),
  /** Go heap returned to the OS (part of HeapSys, not resident). */
  HEAP_RELEASED("heap_released"),
  /** The runtime's other bookkeeping (Go OtherSys + BuckHashSys). */
  RUNTIME_OTHER("runtime_other"),
  /** JVM native memory tracking total (committed; covers the heap and the pools above). */
  NATIVE_TRACKED("native_tracked"),
  /** Resident anonymous memory of the process (RssAnon). */
  RSS_ANON("rss_anon"),
  /** Resident file-backed memory of the process (RssFile). */
  RSS_FILE("rss_file"),
  /** Resident shared memory of the process (RssShmem). */
  RSS_SHMEM("rss_shmem"),
  /** Swapped-out memory of the process (VmSwap). */
  SWAP("swap"),
  /** Anonymous memory charged to the process's cgroup. */
  CGROUP_ANON("cgroup_anon"),
  /** Page cache charged to the cgroup. */
  CGROUP_PAGE_CACHE("cgroup_page_cache"),
  /** Shared memory and tmpfs charged to the cgroup. */
  CGROUP_SHMEM("cgroup_shmem"),
  /** Swap used by the cgroup. */
  CGROUP_SWAP("cgroup_swap"),
  /** Cgroup usage minus inactive page cache: what the kernel cannot easily reclaim. */
  CGROUP_WORKING_SET("cgroup_working_set");

  /** How many measures there are: the length of the accumulator's arrays. */
  public static final int COUNT = values().length;

  private final String column;

  BreakdownMeasure(String column) {
    this.column = column;
  }

  /** The ClickHouse column that holds this measure. */
  public String column() {
    return column;
  }
}
