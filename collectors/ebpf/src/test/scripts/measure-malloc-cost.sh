#!/bin/sh
# Measures what the malloc script costs the traced program: the control demo (malloc + free as
# fast as it can, 4 KiB blocks) for SECONDS, RUNS times without and RUNS times with the malloc
# script attached (bpftrace -c starts the demo after the probes are attached), medians compared.
# usage (root): measure-malloc-cost.sh [sample-every] [runs] [seconds]
set -eu
SAMPLE=${1:-10}; RUNS=${2:-5}; SECONDS_=${3:-2}
HERE=$(cd "$(dirname "$0")/../../.." && pwd)  # the module directory
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
gcc -g -O0 -fno-omit-frame-pointer -o "$WORK/control" \
  "$HERE/src/main/resources/io/memfleet/collector/ebpf/demo/control.c"
LIBC=$(ldd "$WORK/control" | awk '/libc.so/ {print $3}')
sed -e "s#\${LIBC}#$LIBC#g" -e 's/\${PID}/cpid/g' -e "s/\${SAMPLE_EVERY}/$SAMPLE/g" \
  -e 's/\${MIN_SIZE}/65536/g' -e 's/\${STACK_DEPTH}/16/g' -e 's/\${STATS_SECONDS}/1/g' \
  "$HERE/src/main/resources/io/memfleet/collector/ebpf/bpftrace/malloc.bt" > "$WORK/malloc.bt"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rate() { grep -o 'rate=[0-9]*' | cut -d= -f2; }
for i in $(seq "$RUNS"); do "$WORK/control" 0 4096 "$SECONDS_" 0 | rate; done > "$WORK/base"
for i in $(seq "$RUNS"); do
  BPFTRACE_CACHE_USER_SYMBOLS=1 BPFTRACE_MAP_KEYS_MAX=131072 bpftrace -B line \
    -c "$WORK/control 0 4096 $SECONDS_ 0" "$WORK/malloc.bt" 2>/dev/null > "$WORK/out.$i" || true
  rate < "$WORK/out.$i"
  grep -c '^alloc' "$WORK/out.$i" > "$WORK/events.$i" || true
done > "$WORK/traced"
B=$(median < "$WORK/base"); T=$(median < "$WORK/traced")
E=$(cat "$WORK"/events.* | median)
echo "control demo, 4 KiB malloc+free, sample every $SAMPLE, $RUNS runs of ${SECONDS_}s"
echo "untraced allocations/s: $(tr '\n' ' ' < "$WORK/base") median $B"
echo "traced   allocations/s: $(tr '\n' ' ' < "$WORK/traced") median $T"
echo "sampled alloc events printed per run (median): $E"
awk -v b="$B" -v t="$T" 'BEGIN {printf "traced/untraced = %.3f (slowdown x%.1f)\n", t/b, b/t}'
