/**
 * Malloc escalation: bounded, pid-scoped allocator probes for a process whose malloc heap grows,
 * in the eBPF collector's host-wide and per-cgroup modes. {@link
 * io.memfleet.collector.ebpf.escalate.MallocEscalation} decides (fed once per report interval
 * by the collector's reporting thread) and starts and stops perf on its own thread; {@link
 * io.memfleet.collector.ebpf.escalate.HeapGrowthTrigger} says which heaps grow steadily; {@link
 * io.memfleet.collector.ebpf.escalate.AllocatorCalls} turns the probes' samples into blocks on
 * perf's reader thread, which lock the traced process as every tracker of it does.
 */
package io.memfleet.collector.ebpf.escalate;
