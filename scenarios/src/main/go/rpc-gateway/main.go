// rpc-gateway forwards calls to a backend and waits for each reply in its own goroutine,
// main.waitForReply. The backend drops some replies (50 a second at the defaults) and nothing
// times the waiters out, so each of those goroutines stays blocked on its channel receive
// forever, holding its request. It serves net/http/pprof and expvar on -listen.
// Scenario go-goroutine-leak.
//
//	rpc-gateway -listen 127.0.0.1:0 -call-rate 200 -lost-rate 50 -garbage-rate 4MiB
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
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

const name = "rpc-gateway"

var (
	inFlight = expvar.NewInt("rpc_waiters_in_flight")
	answered = expvar.NewInt("rpc_replies")
)

// call is one forwarded request waiting for its reply.
type call struct {
	id      int64
	request []byte
	reply   chan []byte
}

// waitForReply blocks until the backend answers the call. When the reply is lost it waits
// forever: there is no timeout and no cancellation.
//
//go:noinline
func waitForReply(c *call) {
	r := <-c.reply
	answered.Add(1)
	inFlight.Add(-1)
	_ = len(r) + len(c.request)
}

// backend answers a call after a short delay, or drops it.
func backend(c *call, lost bool) {
	if lost {
		return
	}
	time.AfterFunc(time.Duration(1+rand.Intn(40))*time.Millisecond, func() {
		c.reply <- []byte("ok:" + strconv.FormatInt(c.id, 10))
	})
}

func forward(id int64, lost bool) {
	c := &call{id: id, request: make([]byte, 512), reply: make(chan []byte)}
	copy(c.request, "POST /v1/quote HTTP/1.1\r\n")
	inFlight.Add(1)
	go waitForReply(c)
	backend(c, lost)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address for /debug/pprof and /debug/vars")
	callRate := flag.Float64("call-rate", 200, "calls forwarded per second")
	lostRate := flag.Float64("lost-rate", 50, "calls per second whose reply the backend drops (goroutines leaked)")
	garbageRate := flag.String("garbage-rate", "4MiB", "request-scoped garbage per second")
	flag.Parse()
	if *lostRate > *callRate || *lostRate < 0 {
		fmt.Fprintf(os.Stderr, "%s: -lost-rate must be between 0 and -call-rate\n", name)
		os.Exit(2)
	}

	addr := serve(*listen)
	stopOnSignal() // before the start line: a supervisor may stop us right after it
	fmt.Printf("%s pid=%d listen=%s: forwards %.0f calls/s, %.0f/s lose their reply and their waiter goroutine blocks forever\n",
		name, os.Getpid(), addr, *callRate, *lostRate)

	traffic := newTraffic(mustSize(*garbageRate), 512)
	answeredCalls := newPace(*callRate - *lostRate)
	lostCalls := newPace(*lostRate)
	start := time.Now()
	nextStatus := start.Add(10 * time.Second)
	var id int64
	for now := range time.Tick(20 * time.Millisecond) {
		for n := answeredCalls.due(now); n > 0; n-- {
			forward(atomic.AddInt64(&id, 1), false)
		}
		for n := lostCalls.due(now); n > 0; n-- {
			forward(atomic.AddInt64(&id, 1), true)
		}
		traffic.serveDue(now)
		if now.After(nextStatus) {
			nextStatus = now.Add(10 * time.Second)
			fmt.Printf("%s t=%.0fs calls=%d waiting=%d goroutines=%d requests=%d\n", name,
				now.Sub(start).Seconds(), id, inFlight.Value(), runtime.NumGoroutine(), traffic.served)
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
