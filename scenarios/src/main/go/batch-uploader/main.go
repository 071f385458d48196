// batch-uploader batches events and uploads them; when uploads fail it keeps the batch to
// retry — and the upstream is down, so every event stays in memory. It buffers 4 MiB/s at the
// defaults through main.(*Batch).Add; in a 128 MiB memory cgroup the kernel OOM-kills it
// within a minute. It serves net/http/pprof and expvar on -listen. Scenario go-fast-oom.
//
//	batch-uploader -listen 127.0.0.1:0 -leak-rate 4MiB -event 32KiB -garbage-rate 4MiB
package main

import (
	"errors"
	"expvar"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const name = "batch-uploader"

var pendingBytes = expvar.NewInt("upload_pending_bytes")

// Batch holds events until an upload succeeds.
type Batch struct {
	mu     sync.Mutex
	events [][]byte
	bytes  int64
}

// Add copies one event into the batch: the leaking allocation site.
//
//go:noinline
func (b *Batch) Add(size int, seed byte) {
	ev := make([]byte, size)
	for i := 0; i < len(ev); i += 128 {
		ev[i] = seed + byte(i)
	}
	b.mu.Lock()
	b.events = append(b.events, ev)
	b.bytes += int64(size)
	b.mu.Unlock()
	pendingBytes.Set(b.bytes)
}

var errUnavailable = errors.New("upstream unavailable (503)")

// upload fails: the upstream is down for the whole run. The batch is kept for the retry.
func upload(b *Batch) error {
	return errUnavailable
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address for /debug/pprof and /debug/vars")
	leakRate := flag.String("leak-rate", "4MiB", "event bytes per second kept for retry")
	eventSize := flag.String("event", "32KiB", "bytes per event")
	garbageRate := flag.String("garbage-rate", "4MiB", "request-scoped garbage per second")
	flag.Parse()
	leak, event, garbage := mustSize(*leakRate), mustSize(*eventSize), mustSize(*garbageRate)

	addr := serve(*listen)
	stopOnSignal() // before the start line: a supervisor may stop us right after it
	fmt.Printf("%s pid=%d listen=%s: keeps every batch while uploads fail, leak %s/s\n",
		name, os.Getpid(), addr, *leakRate)

	batch := &Batch{}
	traffic := newTraffic(garbage, 256)
	events := newPace(leak / event)
	start := time.Now()
	nextStatus := start.Add(10 * time.Second)
	nextUpload := start.Add(time.Second)
	var failures int
	for now := range time.Tick(20 * time.Millisecond) {
		for n := events.due(now); n > 0; n-- {
			batch.Add(int(event), byte(rand.Intn(256)))
		}
		if now.After(nextUpload) {
			nextUpload = now.Add(time.Second)
			if err := upload(batch); err != nil {
				failures++
			}
		}
		traffic.serveDue(now)
		if now.After(nextStatus) {
			nextStatus = now.Add(10 * time.Second)
			batch.mu.Lock()
			c, b := len(batch.events), batch.bytes
			batch.mu.Unlock()
			fmt.Printf("%s t=%.0fs pending-events=%d pending=%.1fMiB failed-uploads=%d\n", name,
				now.Sub(start).Seconds(), c, float64(b)/(1<<20), failures)
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

func serve(listen string) string {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: listen %s: %v\n", name, listen, err)
		os.Exit(1)
	}
	go func() { _ = http.Serve(ln, nil) }()
	return ln.Addr().String()
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
