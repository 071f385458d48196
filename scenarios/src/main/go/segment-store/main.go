// segment-store is a log-structured store that maps an anonymous memory segment for every
// batch of appends (syscall.Mmap in main.mapSegment) and writes the batch into it. Segments
// are meant to be unmapped after compaction, but compaction never runs, so mapped and resident
// memory grows — 1 MiB/s at the defaults — outside the Go heap, which stays small. It serves
// no pprof or expvar: only the kernel's view shows the growth. Scenario go-mmap-leak.
//
//	segment-store -leak-rate 1MiB -segment 256KiB -garbage-rate 4MiB
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const name = "segment-store"

// mapSegment maps one anonymous segment and writes the batch into every page of it.
//
//go:noinline
func mapSegment(size int, seed byte) []byte {
	seg, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: mmap: %v\n", name, err)
		os.Exit(1)
	}
	for i := 0; i < len(seg); i += 512 {
		seg[i] = seed + byte(i>>9)
	}
	return seg
}

func main() {
	leakRate := flag.String("leak-rate", "1MiB", "bytes mapped per second and never unmapped")
	segmentSize := flag.String("segment", "256KiB", "bytes per segment (a multiple of the page size)")
	garbageRate := flag.String("garbage-rate", "4MiB", "request-scoped garbage per second")
	flag.Parse()
	leak, segment, garbage := mustSize(*leakRate), mustSize(*segmentSize), mustSize(*garbageRate)
	if int(segment)%os.Getpagesize() != 0 || segment <= 0 {
		fmt.Fprintf(os.Stderr, "%s: -segment must be a positive multiple of %d\n", name, os.Getpagesize())
		os.Exit(2)
	}

	stopOnSignal() // before the start line: a supervisor may stop us right after it
	fmt.Printf("%s pid=%d: maps a segment per batch and never unmaps it, leak %s/s (no pprof)\n",
		name, os.Getpid(), *leakRate)

	var segments [][]byte
	traffic := newTraffic(garbage, 256)
	batches := newPace(leak / segment)
	start := time.Now()
	nextStatus := start.Add(10 * time.Second)
	var checksum int
	for now := range time.Tick(20 * time.Millisecond) {
		for n := batches.due(now); n > 0; n-- {
			seg := mapSegment(int(segment), byte(rand.Intn(256)))
			segments = append(segments, seg)
		}
		if len(segments) > 0 {
			checksum += int(segments[rand.Intn(len(segments))][0]) // reads keep segments in use
		}
		traffic.serveDue(now)
		if now.After(nextStatus) {
			nextStatus = now.Add(10 * time.Second)
			fmt.Printf("%s t=%.0fs segments=%d mapped=%.1fMiB requests=%d checksum=%d\n", name,
				now.Sub(start).Seconds(), len(segments), float64(len(segments))*segment/(1<<20),
				traffic.served, checksum)
		}
	}
}

// traffic is ordinary request handling: each response lives in a bounded window of recent
// responses until a newer one overwrites it, so it escapes to the heap and dies young.
type traffic struct {
	pace   *pace
	window [][]byte
	served int64
}

func newTraffic(bytesPerSecond float64, window int) *traffic {
	return &traffic{pace: newPace(bytesPerSecond / 8192), window: make([][]byte, window)}
}

func (t *traffic) serveDue(now time.Time) {
	for n := t.pace.due(now); n > 0; n-- {
		resp := make([]byte, 2048+rand.Intn(12288))
		copy(resp, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n")
		for i := 64; i < len(resp); i += 256 {
			resp[i] = byte(t.served)
		}
		t.window[t.served%int64(len(t.window))] = resp
		t.served++
	}
}

// pace says how many units are due so that perSecond happen per second since start.
type pace struct {
	start     time.Time
	perSecond float64
	done      int64
}

func newPace(perSecond float64) *pace { return &pace{start: time.Now(), perSecond: perSecond} }

func (p *pace) due(now time.Time) int64 {
	target := int64(now.Sub(p.start).Seconds() * p.perSecond)
	n := target - p.done
	p.done = target
	if n < 0 {
		return 0
	}
	return n
}

// stopOnSignal exits with status 0 on SIGTERM or SIGINT. A closed stdout (the supervisor went
// away first) must not turn that into death by SIGPIPE, so writes there just fail.
func stopOnSignal() {
	signal.Ignore(syscall.SIGPIPE)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		s := <-ch
		fmt.Printf("%s stopping (%v)\n", name, s)
		os.Exit(0)
	}()
}

// mustSize parses 512, 64KiB, 1MiB, 1.5MiB (an optional /s is ignored).
func mustSize(s string) float64 {
	t := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	mult := 1.0
	for suffix, m := range map[string]float64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(t, suffix) {
			t, mult = strings.TrimSuffix(t, suffix), m
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || v < 0 {
		fmt.Fprintf(os.Stderr, "%s: bad size %q (want e.g. 512, 64KiB, 1MiB)\n", name, s)
		os.Exit(2)
	}
	return v * mult
}
