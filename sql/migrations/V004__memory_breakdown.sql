-- memfleet V004: one memory breakdown per process and window, and the pool and verdict of alerts
-- and OOM snapshots.
--
-- process_memory_10s and process_memory_1m (created AS process_memory_10s in V002, so each is
-- altered) get one column per pool: the latest reading in the window (bytes; counts for threads
-- and goroutines), 0 where no source reports the pool. Where they come from is in
-- pipeline/README.md ("Memory breakdown"). The hourly and daily rollups select their columns by
-- name and are unchanged.
--
-- ADD COLUMN IF NOT EXISTS (a re-run after a failure half-way) is not in 18.16's grammar; the
-- modern branch has it, the 18.16 branch adds the same columns without it.

-- @if version >= 20.3
ALTER TABLE ${database}.process_memory_10s
    ADD COLUMN IF NOT EXISTS heap_used          Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS heap_committed     Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS live_set           Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS metaspace          Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS class_space        Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS code_cache         Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS gc_metadata        Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS direct_buffers     Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS mapped_buffers     Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS thread_stacks      Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS thread_count       Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS goroutine_stacks   Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS goroutine_count    Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS heap_released      Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS runtime_other      Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS native_tracked     Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS native_other       Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS rss_anon           Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS rss_file           Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS rss_shmem          Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS swap               Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS cgroup_anon        Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS cgroup_page_cache  Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS cgroup_shmem       Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS cgroup_swap        Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS cgroup_working_set Int64 DEFAULT 0;
ALTER TABLE ${database}.process_memory_1m
    ADD COLUMN IF NOT EXISTS heap_used          Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS heap_committed     Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS live_set           Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS metaspace          Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS class_space        Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS code_cache         Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS gc_metadata        Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS direct_buffers     Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS mapped_buffers     Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS thread_stacks      Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS thread_count       Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS goroutine_stacks   Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS goroutine_count    Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS heap_released      Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS runtime_other      Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS native_tracked     Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS native_other       Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS rss_anon           Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS rss_file           Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS rss_shmem          Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS swap               Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS cgroup_anon        Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS cgroup_page_cache  Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS cgroup_shmem       Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS cgroup_swap        Int64 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS cgroup_working_set Int64 DEFAULT 0;
ALTER TABLE ${database}.alerts
    ADD COLUMN IF NOT EXISTS pool    String DEFAULT '',
    ADD COLUMN IF NOT EXISTS verdict String DEFAULT '';
ALTER TABLE ${database}.oom_snapshots
    ADD COLUMN IF NOT EXISTS pool    String DEFAULT '',
    ADD COLUMN IF NOT EXISTS verdict String DEFAULT '';
-- @else
ALTER TABLE ${database}.process_memory_10s
    ADD COLUMN heap_used          Int64 DEFAULT 0,
    ADD COLUMN heap_committed     Int64 DEFAULT 0,
    ADD COLUMN live_set           Int64 DEFAULT 0,
    ADD COLUMN metaspace          Int64 DEFAULT 0,
    ADD COLUMN class_space        Int64 DEFAULT 0,
    ADD COLUMN code_cache         Int64 DEFAULT 0,
    ADD COLUMN gc_metadata        Int64 DEFAULT 0,
    ADD COLUMN direct_buffers     Int64 DEFAULT 0,
    ADD COLUMN mapped_buffers     Int64 DEFAULT 0,
    ADD COLUMN thread_stacks      Int64 DEFAULT 0,
    ADD COLUMN thread_count       Int64 DEFAULT 0,
    ADD COLUMN goroutine_stacks   Int64 DEFAULT 0,
    ADD COLUMN goroutine_count    Int64 DEFAULT 0,
    ADD COLUMN heap_released      Int64 DEFAULT 0,
    ADD COLUMN runtime_other      Int64 DEFAULT 0,
    ADD COLUMN native_tracked     Int64 DEFAULT 0,
    ADD COLUMN native_other       Int64 DEFAULT 0,
    ADD COLUMN rss_anon           Int64 DEFAULT 0,
    ADD COLUMN rss_file           Int64 DEFAULT 0,
    ADD COLUMN rss_shmem          Int64 DEFAULT 0,
    ADD COLUMN swap               Int64 DEFAULT 0,
    ADD COLUMN cgroup_anon        Int64 DEFAULT 0,
    ADD COLUMN cgroup_page_cache  Int64 DEFAULT 0,
    ADD COLUMN cgroup_shmem       Int64 DEFAULT 0,
    ADD COLUMN cgroup_swap        Int64 DEFAULT 0,
    ADD COLUMN cgroup_working_set Int64 DEFAULT 0;
ALTER TABLE ${database}.process_memory_1m
    ADD COLUMN heap_used          Int64 DEFAULT 0,
    ADD COLUMN heap_committed     Int64 DEFAULT 0,
    ADD COLUMN live_set           Int64 DEFAULT 0,
    ADD COLUMN metaspace          Int64 DEFAULT 0,
    ADD COLUMN class_space        Int64 DEFAULT 0,
    ADD COLUMN code_cache         Int64 DEFAULT 0,
    ADD COLUMN gc_metadata        Int64 DEFAULT 0,
    ADD COLUMN direct_buffers     Int64 DEFAULT 0,
    ADD COLUMN mapped_buffers     Int64 DEFAULT 0,
    ADD COLUMN thread_stacks      Int64 DEFAULT 0,
    ADD COLUMN thread_count       Int64 DEFAULT 0,
    ADD COLUMN goroutine_stacks   Int64 DEFAULT 0,
    ADD COLUMN goroutine_count    Int64 DEFAULT 0,
    ADD COLUMN heap_released      Int64 DEFAULT 0,
    ADD COLUMN runtime_other      Int64 DEFAULT 0,
    ADD COLUMN native_tracked     Int64 DEFAULT 0,
    ADD COLUMN native_other       Int64 DEFAULT 0,
    ADD COLUMN rss_anon           Int64 DEFAULT 0,
    ADD COLUMN rss_file           Int64 DEFAULT 0,
    ADD COLUMN rss_shmem          Int64 DEFAULT 0,
    ADD COLUMN swap               Int64 DEFAULT 0,
    ADD COLUMN cgroup_anon        Int64 DEFAULT 0,
    ADD COLUMN cgroup_page_cache  Int64 DEFAULT 0,
    ADD COLUMN cgroup_shmem       Int64 DEFAULT 0,
    ADD COLUMN cgroup_swap        Int64 DEFAULT 0,
    ADD COLUMN cgroup_working_set Int64 DEFAULT 0;
ALTER TABLE ${database}.alerts
    ADD COLUMN pool    String DEFAULT '',
    ADD COLUMN verdict String DEFAULT '';
ALTER TABLE ${database}.oom_snapshots
    ADD COLUMN pool    String DEFAULT '',
    ADD COLUMN verdict String DEFAULT '';
-- @end
