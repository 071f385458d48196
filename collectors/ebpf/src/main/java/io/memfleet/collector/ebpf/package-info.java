/**
 * memfleet's eBPF and perf collector: native memory the managed runtimes cannot see.
 *
 * <p>{@link io.memfleet.collector.ebpf.EbpfCollector} runs bpftrace scripts
 * ({@code bpftrace}), tracks what they report ({@code track}) and publishes memfleet events
 * ({@code publish}); {@code perf} records and parses {@code perf script}; {@code stack} turns
 * raw frames into hashed {@link io.memfleet.event.StackTrace}s. Threading: each
 * {@link io.memfleet.collector.ebpf.bpftrace.BpftraceRunner} delivers events on its own thread;
 * the publishers are thread-safe, the trackers are not (the publishers lock them).
 */
package io.memfleet.collector.ebpf;
