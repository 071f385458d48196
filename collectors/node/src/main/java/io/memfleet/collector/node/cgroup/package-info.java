/**
 * Memory cgroups, v1 ({@code memory.usage_in_bytes}, {@code memory.limit_in_bytes},
 * {@code memory.oom_control}, {@code memory.stat}) and v2 ({@code memory.current},
 * {@code memory.max}, {@code memory.events}, {@code memory.stat}), read into one
 * {@link io.memfleet.collector.node.cgroup.CgroupMemory} shape; mounts found in mountinfo.
 */
package io.memfleet.collector.node.cgroup;
