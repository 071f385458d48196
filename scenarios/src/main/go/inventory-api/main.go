// inventory-api is a healthy service, the control: it answers requests through a small worker
// pool (a goroutine per connection that ends with it), keeps sessions in a map with a 30 s
// idle timeout that a janitor enforces, and makes ordinary request garbage. Memory and
// goroutines stay level. It serves net/http/pprof and expvar on -listen.
// Scenario go-healthy-server.
//
//	inventory-api -listen 127.0.0.1:0 -request-rate 500 -session-ttl 30s -garbage-rate 8MiB
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
	"sync"
	"syscall"
	"time"
)

const name = "inventory-api"

var liveSessions = expvar.NewInt("inventory_sessions")

type session struct {
	lastSeen time.Time
	cart     []byte
}

// sessions expire after ttl of idleness; the janitor removes them.
type sessions struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[int]*session
}

func (s *sessions) touch(id int, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x, ok := s.m[id]; ok {
		x.lastSeen = now
		return
	}
	s.m[id] = &session{lastSeen: now, cart: make([]byte, 2048)}
	liveSessions.Set(int64(len(s.m)))
}

func (s *sessions) janitor(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, x := range s.m {
		if now.Sub(x.lastSeen) > s.ttl {
			delete(s.m, id)
		}
	}
	liveSessions.Set(int64(len(s.m)))
}

// handle serves one connection's request on its own goroutine, which ends with it.
func handle(id int, s *sessions, done chan<- int) {
	s.touch(id, time.Now())
	body := make([]byte, 1024+rand.Intn(4096))
	time.Sleep(time.Duration(rand.Intn(20)) * time.Millisecond)
	done <- len(body)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address for /debug/pprof and /debug/vars")
	requestRate := flag.Float64("request-rate", 500, "requests per second")
	ttl := flag.Duration("session-ttl", 30*time.Second, "session idle timeout")
	users := flag.Int("users", 5000, "distinct users (bounds the session map)")
	garbageRate := flag.String("garbage-rate", "8MiB", "request-scoped garbage per second")
	flag.Parse()

	addr := serve(*listen)
	stopOnSignal() // before the start line: a supervisor may stop us right after it
	fmt.Printf("%s pid=%d listen=%s: healthy service, %.0f requests/s, sessions expire after %v\n",
		name, os.Getpid(), addr, *requestRate, *ttl)

	s := &sessions{ttl: *ttl, m: map[int]*session{}}
	done := make(chan int, 1024)
	go func() {
		for range done {
		}
	}()
	traffic := newTraffic(mustSize(*garbageRate), 512)
	requests := newPace(*requestRate)
	start := time.Now()
	nextStatus := start.Add(10 * time.Second)
	nextSweep := start.Add(5 * time.Second)
	for now := range time.Tick(20 * time.Millisecond) {
		for n := requests.due(now); n > 0; n-- {
			go handle(rand.Intn(*users), s, done)
		}
		if now.After(nextSweep) {
			nextSweep = now.Add(5 * time.Second)
			s.janitor(now)
		}
		traffic.serveDue(now)
		if now.After(nextStatus) {
			nextStatus = now.Add(10 * time.Second)
			fmt.Printf("%s t=%.0fs sessions=%d goroutines=%d requests=%d\n", name,
				now.Sub(start).Seconds(), liveSessions.Value(), runtime.NumGoroutine(), traffic.served)
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
