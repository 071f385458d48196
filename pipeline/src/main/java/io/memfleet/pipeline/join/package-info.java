/**
 * Per-process state: {@link io.memfleet.pipeline.join.ProcessMemoryJoinFunction} enriches events
 * with the process identity and joins resident memory with the managed heap into the
 * native-memory series; state and timers end with the process.
 */
package io.memfleet.pipeline.join;
