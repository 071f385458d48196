/**
 * HotSpot JVMs seen from outside: the performance-data file ({@code hsperfdata}) every HotSpot
 * JVM maps, parsed by {@link io.memfleet.collector.node.jvm.PerfDataBuffer}, mapped to memory
 * pools by {@link io.memfleet.collector.node.jvm.JvmMemoryCounters}, published each scan by
 * {@link io.memfleet.collector.node.jvm.HsperfdataSampler}.
 *
 * <p>Threading: the sampler runs on the scan thread (a
 * {@link io.memfleet.collector.node.internal.TrackedProcessListener}); parsers hold no shared
 * state.
 */
package io.memfleet.collector.node.jvm;
