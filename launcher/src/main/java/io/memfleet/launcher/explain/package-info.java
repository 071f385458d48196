/**
 * {@code memfleet explain PID|ALERT_ID}: one process's memory breakdown read back from
 * ClickHouse — the pools now, each pool's trend, the pool that grows, the process's alerts, its
 * top allocation stacks and its host's clock calibrations.
 * {@link io.memfleet.launcher.explain.ExplainCommand} is the command;
 * {@link io.memfleet.launcher.explain.ExplainQueries} holds its SQL (the same on ClickHouse 18.16
 * and current releases), {@link io.memfleet.launcher.explain.ExplainReport} turns the answers
 * into text without touching ClickHouse, so it is tested on hand-made rows.
 */
package io.memfleet.launcher.explain;
