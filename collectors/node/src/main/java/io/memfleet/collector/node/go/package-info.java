/**
 * The Go runtime: {@code GODEBUG=gctrace=1} lines (current and pre-1.18 formats,
 * {@code (forced)}), {@code expvar} memstats and the goroutine profile, mapped to
 * {@code GcCycle}, {@code GcPause}, {@code HeapSummary} and {@code ThreadCount}.
 *
 * <p>Threading: {@link io.memfleet.collector.node.go.GcTraceFollower} owns one thread per
 * source; {@link io.memfleet.collector.node.go.GoRuntimeScraper} is driven by one caller thread;
 * the parsers are stateless apart from atomic counters.
 */
package io.memfleet.collector.node.go;
