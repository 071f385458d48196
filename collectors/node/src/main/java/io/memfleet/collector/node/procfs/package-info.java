/**
 * {@code /proc/PID/{stat,status,smaps_rollup,cgroup}}: parsers as pure functions over the text
 * (golden-tested on files captured from a real kernel) and {@link
 * io.memfleet.collector.node.procfs.ProcfsReader} over a configurable root. Reads of a process
 * that vanished give empty results, never exceptions.
 */
package io.memfleet.collector.node.procfs;
