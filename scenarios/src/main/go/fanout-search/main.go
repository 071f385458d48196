// fanout-search is a search front end that runs a re-index sweep every ~20 s: the sweep fans
// out one goroutine per shard query — 5000 to 20000 of them at once — and each finishes within
// a few seconds. Goroutine count jumps, then returns to its baseline: no leak. Between sweeps it
// serves queries with ordinary request garbage. It serves net/http/pprof and expvar on -listen.
// Scenario go-bursty-goroutines.
//
//	fanout-search -listen 127.0.0.1:0 -every 20s -min-burst 5000 -max-burst 20000 -garbage-rate 4MiB
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

const name = "fanout-search"

var sweeps = expvar.NewInt("search_sweeps")

// queryShard asks one shard for its changes: a short sleep stands in for the network.
func queryShard(shard int, wg *sync.WaitGroup, results chan<- int) {
	defer wg.Done()
	buf := make([]byte, 1024)
	buf[0] = byte(shard)
	time.Sleep(time.Duration(200+rand.Intn(2800)) * time.Millisecond)
	results <- int(buf[0])
}

// sweep fans out to n shards and merges the answers; it returns when all have answered.
func sweep(n int) int {
	var wg sync.WaitGroup
	results := make(chan int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go queryShard(i, &wg, results)
	}
	wg.Wait()
	close(results)
	total := 0
	for r := range results {
		total += r
	}
	sweeps.Add(1)
	return total
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address for /debug/pprof and /debug/vars")
	every := flag.Duration("every", 20*time.Second, "mean time between sweeps (±25% jitter)")
	minBurst := flag.Int("min-burst", 5000, "fewest goroutines per sweep")
	maxBurst := flag.Int("max-burst", 20000, "most goroutines per sweep")
	garbageRate := flag.String("garbage-rate", "4MiB", "request-scoped garbage per second")
	flag.Parse()
	if *minBurst <= 0 || *maxBurst < *minBurst {
		fmt.Fprintf(os.Stderr, "%s: need 0 < -min-burst <= -max-burst\n", name)
		os.Exit(2)
	}

	addr := serve(*listen)
	stopOnSignal() // before the start line: a supervisor may stop us right after it
	fmt.Printf("%s pid=%d listen=%s: sweeps of %d-%d goroutines every ~%v, each done in seconds\n",
		name, os.Getpid(), addr, *minBurst, *maxBurst, *every)

	traffic := newTraffic(mustSize(*garbageRate), 512)
	start := time.Now()
	nextStatus := start.Add(10 * time.Second)
	jitter := func() time.Duration {
		return time.Duration(float64(*every) * (0.75 + rand.Float64()/2))
	}
	nextSweep := start.Add(jitter())
	for now := range time.Tick(20 * time.Millisecond) {
		if now.After(nextSweep) {
			nextSweep = now.Add(jitter())
			n := *minBurst + rand.Intn(*maxBurst-*minBurst+1)
			go sweep(n)
		}
		traffic.serveDue(now)
		if now.After(nextStatus) {
			nextStatus = now.Add(10 * time.Second)
			fmt.Printf("%s t=%.0fs sweeps=%d goroutines=%d requests=%d\n", name,
				now.Sub(start).Seconds(), sweeps.Value(), runtime.NumGoroutine(), traffic.served)
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
