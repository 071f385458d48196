#!/bin/sh
# Measures what the eBPF collector costs a malloc-heavy C program, side by side in one run: the
# benchmark (src/test/resources/.../bench/malloc_bench.c, gcc -O2 -fno-omit-frame-pointer) with
# no tracing and under the collector in the chosen modes — MODES, default all of:
#   UNTRACED        no tracing
#   DEFAULT         memfleet ebpf --pid PID          (mmap, faults, oom on the benchmark)
#   HOST_WIDE       memfleet ebpf                    (the same scripts on every process: the DaemonSet)
#   MALLOC_SAMPLED  --pid PID --scripts malloc,mmap,faults,oom
#   EVERY_CALL      ... --sample-every 1
# Modes alternate within each round (the order rotates); medians and per-round ratios are
# printed as a Markdown table, with the load average before and after. The collector runs in
# the harness JVM and publishes to a real Kafka broker it starts itself.
# usage (root, from anywhere):
#   measure-overhead.sh [rounds=5] [seconds-per-workload=3] [workloads=documents,churn,pages]
#                       [modes=UNTRACED,DEFAULT,HOST_WIDE,MALLOC_SAMPLED,EVERY_CALL]
# MEMFLEET_OVERHEAD_JAVA_OPTS adds JVM options, e.g. -Dmemfleet.overhead.waitForOtherTracers=PT0S
# (do not wait for other users' bpftrace to end; such runs are counted in the table).
# Builds what it needs in the reactor (no mvn install: modules resolve to their target/ dirs).
set -eu
ROOT=$(cd "$(dirname "$0")/../../../../.." && pwd)
cd "$ROOT"
mvn -q -B -ntp -pl collectors/ebpf -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/overhead.classpath -Dmdep.includeScope=test
cd collectors/ebpf
exec java ${MEMFLEET_OVERHEAD_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/overhead.classpath)" \
  io.memfleet.collector.ebpf.overhead.OverheadHarness "$@"
