/**
 * The Go runtime: {@code GODEBUG=gctrace=1} lines (current and pre-1.18 formats,
 * {@code (forced)}), {@code expvar} memstats, the goroutine and heap profiles and the process's
 * GOGC/GOMEMLIMIT environment, mapped to {@code GcCycle}, {@code GcPause}, {@code HeapSummary},
 * {@code MemoryPools}, {@code ThreadCount} (with parked stacks) and {@code Allocation}
 * OUTSTANDING; {@link io.memfleet.collector.node.go.GoProgramDiscovery} finds programs that
 * serve expvar or pprof.
 *
 * <p>Threading: {@link io.memfleet.collector.node.go.GcTraceFollower} owns one thread per
 * source; {@link io.memfleet.collector.node.go.GoRuntimeScraper} and the discovery rounds are
 * driven by one caller thread (discovery's scan-side callbacks only enqueue);
 * the parsers are stateless apart from atomic counters.
 */
package io.memfleet.collector.node.go;
