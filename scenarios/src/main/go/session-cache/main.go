// session-cache is a session front end that keeps every request's rendered response in a
// global cache: each request stores a 16 KiB body through main.(*Cache).Remember, about 1 MiB/s
// at the default rate, while ordinary request handling makes short-lived garbage. Until
// -leak-after a sweep evicts entries older than -ttl, so the heap is flat; from then on the
// sweep no longer runs (a code path that stopped calling it) and nothing ever leaves the cache.
// It serves net/http/pprof and expvar on -listen. Scenarios go-heap-leak (-leak-after 0, the
// default: the sweep never runs) and go-late-heap-leak (-leak-after 180s).
//
//	session-cache -listen 127.0.0.1:0 -leak-rate 1MiB -body 16KiB -garbage-rate 8MiB -leak-after 180s
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

const name = "session-cache"

var cachedBytes = expvar.NewInt("session_cache_bytes")

// Entry is one remembered response.
type Entry struct {
	key     string
	body    []byte
	created time.Time
}

// Cache remembers responses by request key. Only Expire deletes from it.
type Cache struct {
	mu      sync.Mutex
	entries map[string]*Entry
	bytes   int64
	evicted int64
}

// Remember allocates and stores the body of one response: the leaking allocation site.
//
//go:noinline
func (c *Cache) Remember(key string, size int, seed byte) *Entry {
	body := make([]byte, size)
	for i := 0; i < len(body); i += 64 {
		body[i] = seed + byte(i)
	}
	e := &Entry{key: key, body: body, created: time.Now()}
	c.mu.Lock()
	c.entries[key] = e
	c.bytes += int64(size)
	c.mu.Unlock()
	cachedBytes.Set(c.bytes)
	return e
}

// Expire evicts the entries created more than ttl before now.
func (c *Cache) Expire(now time.Time, ttl time.Duration) {
	c.mu.Lock()
	for k, e := range c.entries {
		if now.Sub(e.created) >= ttl {
			delete(c.entries, k)
			c.bytes -= int64(len(e.body))
			c.evicted++
		}
	}
	b := c.bytes
	c.mu.Unlock()
	cachedBytes.Set(b)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address for /debug/pprof and /debug/vars")
	leakRate := flag.String("leak-rate", "1MiB", "bytes per second cached (kept forever once leaking)")
	bodySize := flag.String("body", "16KiB", "bytes per remembered response")
	garbageRate := flag.String("garbage-rate", "8MiB", "request-scoped garbage per second")
	ttl := flag.Duration("ttl", 30*time.Second, "entry lifetime while the eviction sweep runs")
	leakAfter := flag.Duration("leak-after", 0, "when the eviction sweep stops (0: it never runs)")
	flag.Parse()
	leak, body, garbage := mustSize(*leakRate), mustSize(*bodySize), mustSize(*garbageRate)

	addr := serve(*listen)
	what := "response cache that never evicts"
	if *leakAfter > 0 {
		what = fmt.Sprintf("response cache evicting after %v until %v, then never", *ttl, *leakAfter)
	}
	stopOnSignal() // before the start line: a supervisor may stop us right after it
	fmt.Printf("%s pid=%d listen=%s: %s, leak %s/s, request garbage %s/s\n",
		name, os.Getpid(), addr, what, *leakRate, *garbageRate)

	cache := &Cache{entries: map[string]*Entry{}}
	traffic := newTraffic(garbage, 512)
	requests := newPace(leak / body)
	start := time.Now()
	nextStatus := start.Add(10 * time.Second)
	nextSweep := start.Add(time.Second)
	var served int64
	for now := range time.Tick(20 * time.Millisecond) {
		for n := requests.due(now); n > 0; n-- {
			key := strconv.FormatInt(served, 36) + "-" + strconv.Itoa(rand.Intn(1e6))
			cache.Remember(key, int(body), byte(served))
			served++
		}
		if now.Sub(start) < *leakAfter && now.After(nextSweep) {
			nextSweep = now.Add(time.Second)
			cache.Expire(now, *ttl)
		}
		traffic.serveDue(now)
		if now.After(nextStatus) {
			nextStatus = now.Add(10 * time.Second)
			cache.mu.Lock()
			n, b, ev := len(cache.entries), cache.bytes, cache.evicted
			cache.mu.Unlock()
			fmt.Printf("%s t=%.0fs entries=%d retained=%.1fMiB evicted=%d requests=%d\n", name,
				now.Sub(start).Seconds(), n, float64(b)/(1<<20), ev, traffic.served)
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
