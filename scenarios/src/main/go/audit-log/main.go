// audit-log is an API server that appends an audit record for every write request to an
// in-memory log that was meant to be flushed to disk and truncated; the flusher was never
// started, so the log only grows — slowly, 32 KiB/s at the defaults (about 110 MiB a hour),
// through main.(*AuditLog).Append, under 8 MiB/s of ordinary request garbage. It serves
// net/http/pprof and expvar on -listen. Scenario go-slow-heap-leak.
//
//	audit-log -listen 127.0.0.1:0 -leak-rate 32KiB -record 2KiB -garbage-rate 8MiB
package main

import (
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

const name = "audit-log"

var logBytes = expvar.NewInt("audit_log_bytes")

// Record is one audited write.
type Record struct {
	at     time.Time
	user   string
	detail []byte
}

// AuditLog holds records until Flush, which nothing calls.
type AuditLog struct {
	mu      sync.Mutex
	records []*Record
	bytes   int64
}

// Append copies the request's detail into a new record: the leaking allocation site.
//
//go:noinline
func (l *AuditLog) Append(user string, size int, seed byte) {
	detail := make([]byte, size)
	for i := 0; i < len(detail); i += 64 {
		detail[i] = seed ^ byte(i)
	}
	r := &Record{at: time.Now(), user: user, detail: detail}
	l.mu.Lock()
	l.records = append(l.records, r)
	l.bytes += int64(size)
	l.mu.Unlock()
	logBytes.Set(l.bytes)
}

// Flush would write and truncate the log.
func (l *AuditLog) Flush() {
	l.mu.Lock()
	l.records, l.bytes = nil, 0
	l.mu.Unlock()
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address for /debug/pprof and /debug/vars")
	leakRate := flag.String("leak-rate", "32KiB", "audit bytes per second kept forever")
	recordSize := flag.String("record", "2KiB", "bytes per audit record")
	garbageRate := flag.String("garbage-rate", "8MiB", "request-scoped garbage per second")
	flag.Parse()
	leak, record, garbage := mustSize(*leakRate), mustSize(*recordSize), mustSize(*garbageRate)

	addr := serve(*listen)
	stopOnSignal() // before the start line: a supervisor may stop us right after it
	fmt.Printf("%s pid=%d listen=%s: audit log never flushed, leak %s/s, request garbage %s/s\n",
		name, os.Getpid(), addr, *leakRate, *garbageRate)

	log := &AuditLog{}
	traffic := newTraffic(garbage, 512)
	writes := newPace(leak / record)
	start := time.Now()
	nextStatus := start.Add(10 * time.Second)
	var n64 int64
	for now := range time.Tick(20 * time.Millisecond) {
		for n := writes.due(now); n > 0; n-- {
			log.Append("user-"+strconv.Itoa(rand.Intn(5000)), int(record), byte(n64))
			n64++
		}
		traffic.serveDue(now)
		if now.After(nextStatus) {
			nextStatus = now.Add(10 * time.Second)
			log.mu.Lock()
			c, b := len(log.records), log.bytes
			log.mu.Unlock()
			fmt.Printf("%s t=%.0fs records=%d retained=%.2fMiB requests=%d\n", name,
				now.Sub(start).Seconds(), c, float64(b)/(1<<20), traffic.served)
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
