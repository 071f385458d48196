#!/bin/sh
# What a malloc escalation costs the probed process, with the collector's own perf commands
# (MallocEscalation: PerfProbes.addAllocatorProbes + PerfPipe):
#  A. the c-malloc-leak program (scenarios' ingest-proxy, paced: 64 leaked 16 KiB copies and
#     2 560 parses a second, ~10 400 allocator calls/s) — its CPU seconds per second untraced,
#     probed, untraced again, SECONDS each; and the CPU of perf record + perf script meanwhile;
#  B. the per-call price: malloc_bench's `documents` (flat out) untraced and probed.
# The Java side (parsing perf script's lines) is not in it: perf script's output is counted only.
# usage (root): measure-escalation-cost.sh [seconds=30]
set -eu
SECS=${1:-30}
HERE=$(cd "$(dirname "$0")/../../.." && pwd)   # collectors/ebpf
ROOT=$(cd "$HERE/../.." && pwd)
WORK=$(mktemp -d)
T=$$; G=memfleet_$T
cleanup() {
  [ -n "${PROXY:-}" ] && kill "$PROXY" 2>/dev/null || true
  perf probe -q -d "$G:*" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
cp "$ROOT/scenarios/src/main/c/ingest-proxy.c" "$ROOT/scenarios/src/main/c/scenario.h" "$WORK/"
gcc -O1 -g -fno-omit-frame-pointer -o "$WORK/ingest-proxy" "$WORK/ingest-proxy.c" -static
gcc -O2 -g -fno-omit-frame-pointer -o "$WORK/malloc_bench" \
  "$HERE/src/test/resources/io/memfleet/collector/ebpf/bench/malloc_bench.c"
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }        # utime + stime, ticks
probes() {  # image
  for spec in "malloc_$T=malloc size=%di:u64" "malloc_$T=malloc%return ptr=\$retval:x64" \
      "calloc_$T=calloc nmemb=%di:u64 size=%si:u64" "calloc_$T=calloc%return ptr=\$retval:x64" \
      "realloc_$T=realloc old=%di:x64 size=%si:u64" "realloc_$T=realloc%return ptr=\$retval:x64" \
      "free_$T=free ptr=%di:x64"; do
    perf probe -q -x "$1" --add "$G:$spec" 2>/dev/null
  done
}
EV=""
for e in malloc calloc realloc free; do EV="$EV -e $G:${e}_$T/call-graph=no/"; done
for e in malloc calloc realloc; do EV="$EV -e $G:${e}_${T}__return/call-graph=fp/"; done
window() {  # label pid probed?
  C0=$(cpu "$2"); S0=$(date +%s.%N)
  if [ "$3" = yes ]; then
    /usr/bin/time -f "%U %S" -o "$WORK/perfcpu" sh -c "perf record -o - -k CLOCK_MONOTONIC -p $2 $EV -- sleep $SECS 2>/dev/null \
      | perf script -i - --ns -F comm,tid,time,event,trace,ip,sym,dso --max-stack 16 \
        2>/dev/null | wc -l > $WORK/lines"
  else
    sleep "$SECS"
  fi
  C1=$(cpu "$2"); S1=$(date +%s.%N)
  awk -v l="$1" -v c="$((C1 - C0))" -v t="$TCK" -v s0="$S0" -v s1="$S1" \
    'BEGIN {printf "%-22s ingest-proxy CPU %.4f s/s\n", l, c / t / (s1 - s0)}'
  if [ "$3" = yes ]; then
    awk -v s="$SECS" '{printf "%-22s perf record + perf script CPU %.4f s/s\n", "", ($1 + $2) / s}' \
      "$WORK/perfcpu"
    echo "                       perf script lines: $(cat "$WORK/lines")"
  fi
}

echo "A. ingest-proxy --leak-rate 1MiB --body 16KiB --churn-rate 20MiB, ${SECS}s windows;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
"$WORK/ingest-proxy" --leak-rate 1MiB --body 16KiB --churn-rate 20MiB > /dev/null &
PROXY=$!
sleep 5
probes "$WORK/ingest-proxy"
N=$(perf stat -x, -e "$G:malloc_$T" -e "$G:free_$T" -p "$PROXY" -- sleep 1 2>&1 \
  | awk -F, '{s += $1} END {print s}')
echo "allocator calls/s (perf stat, 1 s): $N"
window "untraced" "$PROXY" no
window "probed (escalated)" "$PROXY" yes
window "untraced again" "$PROXY" no
kill "$PROXY"; PROXY=""
perf probe -q -d "$G:*"

echo "B. malloc_bench 3 documents (flat out), untraced and probed; load $(cut -d' ' -f1-3 /proc/loadavg)"
bench() {  # probed?
  mkfifo "$WORK/in.$1"
  "$WORK/malloc_bench" 3 documents < "$WORK/in.$1" > "$WORK/out.$1" &
  B=$!
  exec 9> "$WORK/in.$1"
  sleep 0.5
  if [ "$1" = yes ]; then
    probes "$WORK/malloc_bench"
    # shellcheck disable=SC2086
    perf record -o - -k CLOCK_MONOTONIC -p "$B" $EV -- sleep 6 2>/dev/null \
      | perf script -i - --ns -F comm,tid,time,event,trace,ip,sym,dso --max-stack 16 \
        2>/dev/null | wc -l > "$WORK/lines.bench" &
    sleep 2
  fi
  echo go >&9; exec 9>&-
  wait "$B"
  grep result "$WORK/out.$1"
  if [ "$1" = yes ]; then wait; perf probe -q -d "$G:*"; fi
}
bench no
bench yes
