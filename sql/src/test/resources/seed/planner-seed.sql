-- memfleet planner seed: two days (2026-01-05 00:00 to 2026-01-07 00:00 UTC) of what the pipeline
-- writes, for six processes in two clusters, so every planner query and dashboard panel has
-- something to find. Tables are written as ${database}.name (fill in the database as the
-- migrations do). Plain INSERTs only, with functions ClickHouse 18.16 and current releases share;
-- every joined table function and subquery has an alias, which ClickHouse 26.x requires.
--
-- The processes (rates are exact, so tests can assert on them):
--   prod-eu eu-node-1 checkout JVM    pid 4101  RSS 1 GiB + 25 MiB/h, heap 80 % of the growth, limit 4 GiB
--   prod-eu eu-node-2 checkout JVM    pid 4102  RSS flat 1.1 GiB (saw-tooth within each hour), limit 4 GiB
--   prod-us us-node-3 checkout JVM    pid 4201  RSS 1 GiB + 20 MiB/h, the same leak one cluster over, limit 4 GiB
--   prod-us us-node-1 ledger   GO     pid 5201  RSS 300 MiB + 5 MiB/h, goroutines 150 + 15/h, limit 1 GiB
--   prod-eu eu-node-3 ledger   GO     pid 5202  RSS flat 280 MiB, goroutines flat, limit 1 GiB
--   prod-us us-node-2 imgproc  NATIVE pid 6301  RSS 600 MiB + 40 MiB/h, no cgroup limit (0)
-- Plus: GC pauses (JVM every 10 s, Go every 20 s), five allocation stacks with per-minute samples,
-- alerts (one leak fingerprint in both clusters, with several versions of one alert), two OOM
-- snapshots with the raw events of the last 5 s before the first, and clock calibrations.

CREATE TABLE IF NOT EXISTS ${database}.seed_process (
    cluster String, node String, service String, namespace String, pod String, container String,
    pid UInt32, process_start_ms Int64, comm String, runtime String,
    rss0 Int64, rss_per_min Int64, saw_step Int64, managed0 Int64, managed_per_min Int64,
    cgroup_limit Int64, threads Int64, goroutines0 Int64, goroutines_per_hour Int64,
    gc_per_min UInt32, gc_p50_ns Int64, gc_p99_ns Int64, alloc_per_min Int64
) ENGINE = Memory;

INSERT INTO ${database}.seed_process VALUES
    ('prod-eu', 'eu-node-1', 'checkout', 'shop', 'checkout-7d9f-a1', 'checkout', 4101, 1767560000000, 'java', 'JVM',
     1073741824, 436907, 0, 536870912, 349525, 4294967296, 80, 0, 0, 6, 120000000, 400000000, 209715200),
    ('prod-eu', 'eu-node-2', 'checkout', 'shop', 'checkout-7d9f-b2', 'checkout', 4102, 1767560100000, 'java', 'JVM',
     1181116006, 0, 307200, 644245094, 0, 4294967296, 78, 0, 0, 6, 110000000, 380000000, 199229440),
    ('prod-us', 'us-node-3', 'checkout', 'shop', 'checkout-7d9f-c3', 'checkout', 4201, 1767561000000, 'java', 'JVM',
     1073741824, 349525, 0, 536870912, 279620, 4294967296, 82, 0, 0, 6, 125000000, 410000000, 209715200),
    ('prod-us', 'us-node-1', 'ledger', 'payments', 'ledger-5c4b-d4', 'ledger', 5201, 1767562000000, 'ledger', 'GO',
     314572800, 87381, 0, 209715200, 69905, 1073741824, 14, 150, 15, 3, 400000, 600000, 52428800),
    ('prod-eu', 'eu-node-3', 'ledger', 'payments', 'ledger-5c4b-e5', 'ledger', 5202, 1767562100000, 'ledger', 'GO',
     293601280, 0, 102400, 188743680, 0, 1073741824, 13, 160, 0, 3, 380000, 550000, 50331648),
    ('prod-us', 'us-node-2', 'imgproc', 'media', 'imgproc-77aa-f6', 'imgproc', 6301, 1767563000000, 'imgproc', 'NATIVE',
     629145600, 699051, 0, 0, 0, 0, 24, 0, 0, 0, 0, 0, 0);

-- one row per process and minute; the materialized views fill process_memory_1h and service_memory_1d.
-- The memory breakdown: JVMs with 96 MiB metaspace, 12 MiB class space, 48 MiB code cache, 32 MiB
-- direct buffers and 1 MiB of stack per thread; Go with 8 KiB per goroutine, 8 MiB GC metadata,
-- 16 MiB heap released, 4 MiB runtime other; native_other is RSS less all of it (imgproc: all RSS).
INSERT INTO ${database}.process_memory_1m (window_start, window_end, cluster, node, service, namespace,
    pod, container, pid, process_start_ms, comm, runtime, rss_max, rss_avg, rss_last,
    managed_used_max, managed_committed_max, managed_limit, heap_after_gc_min, native_max,
    native_last, cgroup_usage_max, cgroup_limit, threads_max, goroutines_max, gc_count,
    gc_pause_total_ns, gc_pause_p50_ns, gc_pause_p99_ns, gc_pause_max_ns, gc_cpu_fraction,
    alloc_bytes, samples, batch_id,
    heap_used, heap_committed, live_set, metaspace, class_space, code_cache, direct_buffers,
    thread_stacks, thread_count, goroutine_stacks, goroutine_count, gc_metadata, heap_released,
    runtime_other, native_other, rss_anon, rss_file, cgroup_page_cache, cgroup_working_set)
SELECT
    toDateTime(1767571200 + number * 60) AS ws, toDateTime(1767571200 + number * 60 + 60),
    cluster, node, service, namespace, pod, container, pid, process_start_ms, comm, runtime,
    rss0 + toInt64(number) * rss_per_min + ((toInt64(number) % 60) - 30) * saw_step AS rss,
    toFloat64(rss) - 524288, rss - 1048576,
    managed0 + toInt64(number) * managed_per_min AS managed, intDiv(managed * 5, 4),
    if(runtime = 'JVM', 3221225472, 0), intDiv(managed * 7, 10),
    rss - managed, rss - managed - 1048576,
    rss + 52428800, cgroup_limit, threads,
    goroutines0 + intDiv(toInt64(number) * goroutines_per_hour, 60),
    gc_per_min, intDiv(gc_per_min * gc_p50_ns * 3, 2), gc_p50_ns, gc_p99_ns, gc_p99_ns + 50000000 * (gc_per_min > 0),
    gc_per_min * gc_p50_ns * 1.5 / 60e9, alloc_per_min, 6, 'seed',
    managed, intDiv(managed * 5, 4) AS heap_c, intDiv(managed * 7, 10),
    toInt64(runtime = 'JVM') * 100663296 AS meta, toInt64(runtime = 'JVM') * 12582912 AS cls,
    toInt64(runtime = 'JVM') * 50331648 AS code, toInt64(runtime = 'JVM') * 33554432 AS direct,
    toInt64(runtime = 'JVM') * threads * 1048576 AS stacks, toInt64(runtime = 'JVM') * threads,
    toInt64(runtime = 'GO') * (goroutines0 + intDiv(toInt64(number) * goroutines_per_hour, 60)) * 8192 AS gstacks, toInt64(runtime = 'GO') * (goroutines0 + intDiv(toInt64(number) * goroutines_per_hour, 60)),
    toInt64(runtime = 'GO') * 8388608 AS gcmeta, toInt64(runtime = 'GO') * 16777216 AS released,
    toInt64(runtime = 'GO') * 4194304 AS other,
    greatest(rss - (greatest(heap_c - released, 0) + meta + cls + code + direct + stacks + gstacks
        + gcmeta + other), 0),
    intDiv(rss * 9, 10), rss - intDiv(rss * 9, 10), toInt64(67108864), rss + 52428800
FROM numbers(2880) AS step CROSS JOIN ${database}.seed_process;

-- the same processes at 10 s resolution
INSERT INTO ${database}.process_memory_10s (window_start, window_end, cluster, node, service, namespace,
    pod, container, pid, process_start_ms, comm, runtime, rss_max, rss_avg, rss_last,
    managed_used_max, managed_committed_max, managed_limit, heap_after_gc_min, native_max,
    native_last, cgroup_usage_max, cgroup_limit, threads_max, goroutines_max, gc_count,
    gc_pause_total_ns, gc_pause_p50_ns, gc_pause_p99_ns, gc_pause_max_ns, gc_cpu_fraction,
    alloc_bytes, samples, batch_id,
    heap_used, heap_committed, live_set, metaspace, class_space, code_cache, direct_buffers,
    thread_stacks, thread_count, goroutine_stacks, goroutine_count, gc_metadata, heap_released,
    runtime_other, native_other, rss_anon, rss_file, cgroup_page_cache, cgroup_working_set)
SELECT
    toDateTime(1767571200 + number * 10), toDateTime(1767571200 + number * 10 + 10),
    cluster, node, service, namespace, pod, container, pid, process_start_ms, comm, runtime,
    rss0 + intDiv(toInt64(number) * rss_per_min, 6) + ((intDiv(toInt64(number), 6) % 60) - 30) * saw_step AS rss,
    toFloat64(rss) - 262144, rss - 524288,
    managed0 + intDiv(toInt64(number) * managed_per_min, 6) AS managed, intDiv(managed * 5, 4),
    if(runtime = 'JVM', 3221225472, 0), intDiv(managed * 7, 10),
    rss - managed, rss - managed - 524288,
    rss + 52428800, cgroup_limit, threads,
    goroutines0 + intDiv(toInt64(number) * goroutines_per_hour, 360),
    intDiv(gc_per_min, 6) + (number % 2) * (gc_per_min % 6 > 0), intDiv(gc_p50_ns * 3, 2), gc_p50_ns, gc_p99_ns, gc_p99_ns,
    gc_per_min * gc_p50_ns * 1.5 / 60e9, intDiv(alloc_per_min, 6), 1, 'seed',
    managed, intDiv(managed * 5, 4) AS heap_c, intDiv(managed * 7, 10),
    toInt64(runtime = 'JVM') * 100663296 AS meta, toInt64(runtime = 'JVM') * 12582912 AS cls,
    toInt64(runtime = 'JVM') * 50331648 AS code, toInt64(runtime = 'JVM') * 33554432 AS direct,
    toInt64(runtime = 'JVM') * threads * 1048576 AS stacks, toInt64(runtime = 'JVM') * threads,
    toInt64(runtime = 'GO') * (goroutines0 + intDiv(toInt64(number) * goroutines_per_hour, 360)) * 8192 AS gstacks, toInt64(runtime = 'GO') * (goroutines0 + intDiv(toInt64(number) * goroutines_per_hour, 360)),
    toInt64(runtime = 'GO') * 8388608 AS gcmeta, toInt64(runtime = 'GO') * 16777216 AS released,
    toInt64(runtime = 'GO') * 4194304 AS other,
    greatest(rss - (greatest(heap_c - released, 0) + meta + cls + code + direct + stacks + gstacks
        + gcmeta + other), 0),
    intDiv(rss * 9, 10), rss - intDiv(rss * 9, 10), toInt64(67108864), rss + 52428800
FROM numbers(17280) AS step CROSS JOIN ${database}.seed_process;

-- individual pauses: every 10 s on the JVMs, every 20 s on the Go processes; one in 50 is slow
INSERT INTO ${database}.gc_pauses (utc_ns, event_time, cluster, node, service, pod, pid,
    process_start_ms, runtime, source, gc_id, collector_name, phase, duration_ns, batch_id)
SELECT
    (1767571200 + toInt64(number) * 10) * 1000000000 + 123456789, toDateTime(1767571200 + number * 10),
    cluster, node, service, pod, pid, process_start_ms, runtime,
    if(runtime = 'JVM', 'JFR', 'GO_GCTRACE'), toInt64(number),
    if(runtime = 'JVM', if(number % 50 = 0, 'G1 Old Generation', 'G1 Young Generation'), 'go'),
    if(runtime = 'JVM', 'Pause Young (Normal)', 'sweep termination'),
    if(number % 50 = 0, gc_p99_ns, gc_p50_ns) + (number % 7) * 1000, 'seed'
FROM numbers(17280) AS step CROSS JOIN ${database}.seed_process
WHERE gc_per_min > 0 AND (number * 10) % intDiv(60, greatest(gc_per_min, 1)) = 0;

-- stack hash -> frames; the CartCache stack was seen twice (the newer row wins at merge time)
INSERT INTO ${database}.allocation_stacks (stack_hash, frames, top_frame, runtime, object_class,
    first_seen, last_seen, batch_id) VALUES
    (7001, ['com.shop.checkout.CartCache.put', 'com.shop.checkout.CartService.add', 'com.shop.http.Handler.handle'],
     'com.shop.checkout.CartCache.put', 'JVM', 'byte[]', '2026-01-05 00:00:00', '2026-01-05 12:00:00', 'seed'),
    (7001, ['com.shop.checkout.CartCache.put', 'com.shop.checkout.CartService.add', 'com.shop.http.Handler.handle'],
     'com.shop.checkout.CartCache.put', 'JVM', 'byte[]', '2026-01-05 00:00:00', '2026-01-06 23:59:00', 'seed'),
    (7002, ['com.shop.json.Encoder.write', 'com.shop.http.Handler.handle'],
     'com.shop.json.Encoder.write', 'JVM', 'char[]', '2026-01-05 00:00:00', '2026-01-06 23:59:00', 'seed'),
    (7003, ['main.(*Ledger).Subscribe', 'main.(*Server).handleStream', 'net/http.HandlerFunc.ServeHTTP'],
     'main.(*Ledger).Subscribe', 'GO', '', '2026-01-05 00:00:00', '2026-01-06 23:59:00', 'seed'),
    (7004, ['malloc', 'vips_image_new_memory', 'imgproc::resize', 'imgproc::worker_loop'],
     'vips_image_new_memory', 'NATIVE', '', '2026-01-05 00:00:00', '2026-01-06 23:59:00', 'seed'),
    (7005, ['malloc', 'png_create_read_struct', 'imgproc::decode'],
     'png_create_read_struct', 'NATIVE', '', '2026-01-05 00:00:00', '2026-01-06 23:59:00', 'seed');

CREATE TABLE IF NOT EXISTS ${database}.seed_allocation (
    pid UInt32, kind String, stack_hash Int64, object_class String,
    bytes_per_min Int64, samples_per_min UInt32, outstanding_per_min Int64
) ENGINE = Memory;

INSERT INTO ${database}.seed_allocation VALUES
    (4101, 'JAVA_SAMPLE', 7001, 'byte[]', 104857600, 400, 349525),
    (4101, 'JAVA_SAMPLE', 7002, 'char[]', 52428800, 200, 0),
    (4102, 'JAVA_SAMPLE', 7002, 'char[]', 52428800, 200, 0),
    (4201, 'JAVA_SAMPLE', 7001, 'byte[]', 83886080, 320, 279620),
    (5201, 'GO_HEAP', 7003, '', 20971520, 80, 69905),
    (6301, 'MALLOC', 7004, '', 157286400, 600, 699051),
    (6301, 'MALLOC', 7005, '', 10485760, 40, 0);

INSERT INTO ${database}.allocations_1m (window_start, cluster, node, service, pod, pid,
    process_start_ms, runtime, kind, stack_hash, object_class, sampled_bytes, samples,
    outstanding_bytes, batch_id)
SELECT toDateTime(1767571200 + number * 60), cluster, node, service, pod, pid,
    process_start_ms, runtime, kind, stack_hash, object_class, bytes_per_min,
    samples_per_min, toInt64(number) * outstanding_per_min, 'seed'
FROM numbers(2880) AS step CROSS JOIN (
    SELECT pid, kind, stack_hash, object_class, bytes_per_min, samples_per_min, outstanding_per_min,
        cluster, node, service, pod, process_start_ms, runtime
    FROM ${database}.seed_allocation INNER JOIN ${database}.seed_process USING pid) AS stack;

-- alerts: several versions per alert_id (the newest updated_at wins); CHK-LEAK fires in both clusters
INSERT INTO ${database}.alerts (alert_id, fingerprint, rule, severity, status, cluster, node,
    service, pod, pid, process_start_ms, first_seen_utc_ns, last_seen_utc_ns,
    growth_bytes_per_sec, time_to_oom_sec, summary, top_stack, object_class, evidence,
    updated_at, batch_id) VALUES
    ('a-4101', 'fp-checkout-cartcache', 'live-set-growth', 'WARNING', 'FIRING', 'prod-eu', 'eu-node-1',
     'checkout', 'checkout-7d9f-a1', 4101, 1767560000000, 1767582000000000000, 1767585600000000000,
     5825.4, 420000, 'checkout live set grows 20 MiB/h after GC (byte[] from CartCache.put)',
     'com.shop.checkout.CartCache.put', 'byte[]', '[]', '2026-01-05 04:00:00', 'seed'),
    ('a-4101', 'fp-checkout-cartcache', 'live-set-growth', 'CRITICAL', 'UPDATED', 'prod-eu', 'eu-node-1',
     'checkout', 'checkout-7d9f-a1', 4101, 1767560000000, 1767582000000000000, 1767740400000000000,
     5825.4, 259200, 'checkout live set grows 20 MiB/h after GC (byte[] from CartCache.put)',
     'com.shop.checkout.CartCache.put', 'byte[]', '[]', '2026-01-06 23:00:00', 'seed'),
    ('a-4201', 'fp-checkout-cartcache', 'live-set-growth', 'WARNING', 'FIRING', 'prod-us', 'us-node-3',
     'checkout', 'checkout-7d9f-c3', 4201, 1767561000000, 1767600000000000000, 1767736800000000000,
     4660.3, 410000, 'checkout live set grows 16 MiB/h after GC (byte[] from CartCache.put)',
     'com.shop.checkout.CartCache.put', 'byte[]', '[]', '2026-01-06 22:00:00', 'seed'),
    ('a-5201', 'fp-ledger-subscribe', 'goroutine-leak', 'WARNING', 'FIRING', 'prod-us', 'us-node-1',
     'ledger', 'ledger-5c4b-d4', 5201, 1767562000000, 1767590000000000000, 1767738000000000000,
     0, 0, 'ledger goroutines grow 15/h (main.(*Ledger).Subscribe)',
     'main.(*Ledger).Subscribe', '', '[]', '2026-01-06 22:20:00', 'seed'),
    ('a-6301', 'fp-imgproc-vips', 'native-growth', 'WARNING', 'FIRING', 'prod-us', 'us-node-2',
     'imgproc', 'imgproc-77aa-f6', 6301, 1767563000000, 1767580000000000000, 1767739000000000000,
     11650.8, 0, 'imgproc native memory grows 40 MiB/h while no managed heap exists',
     'vips_image_new_memory', '', '[]', '2026-01-06 22:40:00', 'seed'),
    ('a-6301', 'fp-imgproc-vips', 'native-growth', 'INFO', 'RESOLVED', 'prod-us', 'us-node-2',
     'imgproc', 'imgproc-77aa-f6', 6301, 1767563000000, 1767580000000000000, 1767739000000000000,
     11650.8, 0, 'imgproc native memory grows 40 MiB/h while no managed heap exists',
     'vips_image_new_memory', '', '[]', '2026-01-06 22:41:00', 'seed'),
    ('a-4099', 'fp-checkout-oom', 'oom-imminent', 'CRITICAL', 'RESOLVED', 'prod-eu', 'eu-node-1',
     'checkout', 'checkout-7d9f-z9', 4099, 1767500000000, 1767575000000000000, 1767582720000000000,
     60000, 30, 'checkout RSS 3.9 GiB of 4 GiB, OOM in 30 s', 'com.shop.checkout.CartCache.put',
     'byte[]', '[]', '2026-01-05 03:12:10', 'seed');

-- two OOM kills: a checkout JVM in prod-eu (its raw events follow) and a ledger in prod-us
INSERT INTO ${database}.oom_snapshots (snapshot_id, kill_utc_ns, kill_time, cluster, node, service,
    namespace, pod, container, pid, process_start_ms, comm, runtime, detected_by, rss_at_kill,
    cgroup_limit, window_ns, event_count, summary, events, batch_id) VALUES
    ('oom-4099', 1767582727000000000, '2026-01-05 03:12:07', 'prod-eu', 'eu-node-1', 'checkout', 'shop',
     'checkout-7d9f-z9', 'checkout', 4099, 1767500000000, 'java', 'JVM', 'TRACEPOINT', 4273995776,
     4294967296, 5000000000, 4,
     'RSS 3.98 GiB of 4.00 GiB limit; heap 3.0 GiB used; 3 GC pauses (1.2 s) in the last 5 s',
     '[{"utcNs":1767582722500000000,"kind":"ResidentMemory","source":"PROCFS","summary":"rss 3.95 GiB"},{"utcNs":1767582724000000000,"kind":"GcPause","source":"JFR","summary":"G1 Old 400 ms"},{"utcNs":1767582726000000000,"kind":"ResidentMemory","source":"PROCFS","summary":"rss 3.98 GiB"},{"utcNs":1767582727000000000,"kind":"OomKill","source":"EBPF","summary":"oom:mark_victim pid 4099"}]',
     'seed'),
    ('oom-5199', 1767693600000000000, '2026-01-06 10:00:00', 'prod-us', 'us-node-1', 'ledger', 'payments',
     'ledger-5c4b-y8', 'ledger', 5199, 1767400000000, 'ledger', 'GO', 'CGROUP_COUNTER', 1072693248,
     1073741824, 5000000000, 2, 'RSS 1023 MiB of 1 GiB limit; 41000 goroutines',
     '[{"utcNs":1767693597000000000,"kind":"ThreadCount","source":"GO_EXPVAR","summary":"goroutines 41000"},{"utcNs":1767693600000000000,"kind":"OomKill","source":"CGROUP","summary":"memory.oom_control oom_kill 1"}]',
     'seed');

-- the killed checkout JVM's last ten minutes at 10 s resolution, climbing to its 4 GiB limit
INSERT INTO ${database}.process_memory_10s (window_start, window_end, cluster, node, service, namespace,
    pod, container, pid, process_start_ms, comm, runtime, rss_max, rss_avg, rss_last,
    managed_used_max, managed_committed_max, managed_limit, heap_after_gc_min, native_max,
    native_last, cgroup_usage_max, cgroup_limit, threads_max, goroutines_max, gc_count,
    gc_pause_total_ns, gc_pause_p50_ns, gc_pause_p99_ns, gc_pause_max_ns, gc_cpu_fraction,
    alloc_bytes, samples, batch_id)
SELECT
    toDateTime(1767582127 + number * 10), toDateTime(1767582137 + number * 10),
    'prod-eu', 'eu-node-1', 'checkout', 'shop', 'checkout-7d9f-z9', 'checkout', 4099, 1767500000000,
    'java', 'JVM', 3758096384 + toInt64(number) * 8598323 AS rss, toFloat64(rss) - 262144, rss,
    2684354560 + toInt64(number) * 8947848 AS managed, 3221225472, 3221225472,
    intDiv(managed * 9, 10), rss - managed, rss - managed, rss + 20971520, 4294967296, 90, 0,
    1 + intDiv(toUInt32(number), 20), 200000000 + toInt64(number) * 5000000, 150000000,
    400000000, 420000000, 0.02 + number / 200, 52428800, 1, 'seed'
FROM numbers(60);

INSERT INTO ${database}.events_raw (event_date, utc_ns, error_bound_ns, cluster, node, service, pod,
    container, pid, process_start_ms, comm, runtime, source, kind, sequence, value, payload,
    batch_id) VALUES
    ('2026-01-05', 1767582722500000000, 150000, 'prod-eu', 'eu-node-1', 'checkout', 'checkout-7d9f-z9', 'checkout', 4099, 1767500000000, 'java', 'JVM', 'PROCFS', 'ResidentMemory', 901, 4241489920, '{"rss":4241489920}', 'seed'),
    ('2026-01-05', 1767582723100000000, 900000, 'prod-eu', 'eu-node-1', 'checkout', 'checkout-7d9f-z9', 'checkout', 4099, 1767500000000, 'java', 'JVM', 'JFR', 'HeapSummary', 3302, 3221225472, '{"used":3221225472}', 'seed'),
    ('2026-01-05', 1767582724000000000, 900000, 'prod-eu', 'eu-node-1', 'checkout', 'checkout-7d9f-z9', 'checkout', 4099, 1767500000000, 'java', 'JVM', 'JFR', 'GcPause', 3303, 400000000, '{"durationNs":400000000}', 'seed'),
    ('2026-01-05', 1767582725200000000, 900000, 'prod-eu', 'eu-node-1', 'checkout', 'checkout-7d9f-z9', 'checkout', 4099, 1767500000000, 'java', 'JVM', 'JFR', 'GcPause', 3304, 420000000, '{"durationNs":420000000}', 'seed'),
    ('2026-01-05', 1767582725900000000, 40000, 'prod-eu', 'eu-node-1', 'checkout', 'checkout-7d9f-z9', 'checkout', 4099, 1767500000000, 'java', 'JVM', 'EBPF', 'Allocation', 77, 1048576, '{"stack":7001}', 'seed'),
    ('2026-01-05', 1767582726000000000, 150000, 'prod-eu', 'eu-node-1', 'checkout', 'checkout-7d9f-z9', 'checkout', 4099, 1767500000000, 'java', 'JVM', 'PROCFS', 'ResidentMemory', 902, 4273995776, '{"rss":4273995776}', 'seed'),
    ('2026-01-05', 1767582726400000000, 900000, 'prod-eu', 'eu-node-1', 'checkout', 'checkout-7d9f-z9', 'checkout', 4099, 1767500000000, 'java', 'JVM', 'JFR', 'GcPause', 3305, 380000000, '{"durationNs":380000000}', 'seed'),
    ('2026-01-05', 1767582727000000000, 40000, 'prod-eu', 'eu-node-1', 'checkout', 'checkout-7d9f-z9', 'checkout', 4099, 1767500000000, 'java', 'JVM', 'EBPF', 'OomKill', 78, 4273995776, '{"victim":"java"}', 'seed');

INSERT INTO ${database}.clock_calibration (utc_ns, event_time, cluster, node, boot_id, clock_domain,
    offset_ns, drift_ppb, error_bound_ns, samples, batch_id) VALUES
    (1767571200000000000, '2026-01-05 00:00:00', 'prod-eu', 'eu-node-1', 'b-eu1', 'MONOTONIC', 1767000000000000000, 12.5, 40000, 8, 'seed'),
    (1767614400000000000, '2026-01-05 12:00:00', 'prod-eu', 'eu-node-1', 'b-eu1', 'MONOTONIC', 1767000000000540000, 12.6, 38000, 8, 'seed'),
    (1767657600000000000, '2026-01-06 00:00:00', 'prod-eu', 'eu-node-1', 'b-eu1', 'MONOTONIC', 1767000000001080000, 12.4, 41000, 8, 'seed'),
    (1767657600000000000, '2026-01-06 00:00:00', 'prod-eu', 'eu-node-1', 'b-eu1', 'JFR_TICKS@4099/1767500000000', 1767000000100000000, 3.1, 900000, 8, 'seed'),
    (1767571200000000000, '2026-01-05 00:00:00', 'prod-us', 'us-node-1', 'b-us1', 'MONOTONIC', 1766990000000000000, -8.0, 55000, 8, 'seed'),
    (1767657600000000000, '2026-01-06 00:00:00', 'prod-us', 'us-node-1', 'b-us1', 'PERF_CLOCK', 1766990000000000000, -8.2, 60000, 8, 'seed');

DROP TABLE IF EXISTS ${database}.seed_allocation;
DROP TABLE IF EXISTS ${database}.seed_process;
