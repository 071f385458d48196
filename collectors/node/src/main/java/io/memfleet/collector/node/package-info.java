/**
 * The node collector: {@link io.memfleet.collector.node.NodeCollector} (the daemon, built with a
 * builder and an injected {@code EventSink}), its options
 * ({@link io.memfleet.collector.node.NodeCollectorOptions}) and the {@code memfleet collect}
 * command ({@link io.memfleet.collector.node.CollectCommand}).
 *
 * <p>Sub-packages by feature: {@code procfs} and {@code cgroup} (pure parsers over text plus
 * readers over a configurable root), {@code oom} (cgroup counter attribution), {@code go}
 * (gctrace, expvar, goroutine profile), {@code demo} (the leaking Go program); {@code internal}
 * is not API.
 */
package io.memfleet.collector.node;
