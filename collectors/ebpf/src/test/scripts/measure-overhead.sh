#!/bin/sh
# Measures what watching a malloc-heavy C program costs it, side by side in one run: the
# benchmark (src/test/resources/.../bench/malloc_bench.c, gcc -O2 -fno-omit-frame-pointer) with
# no tracing, under `memfleet ebpf --pid PID` (the defaults), with the malloc script added at
# default sampling, and with the malloc script reporting every call (--sample-every 1). Modes
# alternate within each round; medians and per-round ratios are printed as a Markdown table.
# The collector runs in the harness JVM and publishes to a real Kafka broker it starts itself.
# usage (root, from anywhere): measure-overhead.sh [rounds=5] [seconds-per-workload=3]
#                              [workloads=documents,churn,pages]
# Needs the module and its dependencies installed once:
#   mvn -q -B -ntp -pl collectors/ebpf -am install -DskipTests
set -eu
MODULE=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$MODULE"
mvn -q -B -ntp test-compile dependency:build-classpath -Dmdep.outputFile=target/overhead.classpath \
  -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/overhead.classpath)" \
  io.memfleet.collector.ebpf.overhead.OverheadHarness "$@"
