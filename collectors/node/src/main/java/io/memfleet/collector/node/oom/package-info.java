/** OOM kills detected from cgroup {@code oom_kill} counters and attributed to their victims. */
package io.memfleet.collector.node.oom;
