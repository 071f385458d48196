package io.memfleet.collector.ebpf.track;

import io.memfleet.event.StackTrace;

/** What one stack added to a process's address space and is still there, in bytes. */
public record StackLevel(StackTrace stack, long bytes) {}
