// thumbnail-cache renders image thumbnails and keeps them in an LRU cache bounded at 150 MiB.
// Misses on the long tail insert new thumbnails at about 1.5 MiB/s, so the cache fills over its
// first 100 s or so — growth that looks like a leak — then stays at its bound, evicting the
// least recently used entry for every insert. Popular images hit the cache. It serves
// net/http/pprof and expvar on -listen. Scenario go-cache-fill-flat.
//
//	thumbnail-cache -listen 127.0.0.1:0 -cache 150MiB -miss-rate 1.5MiB -thumb 24KiB -garbage-rate 8MiB
package main

import (
	"container/list"
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
	"syscall"
	"time"
)

const name = "thumbnail-cache"

var cacheBytes = expvar.NewInt("thumbnail_cache_bytes")

type thumb struct {
	image  int64
	pixels []byte
}

// LRU is bounded by the bytes of the thumbnails it holds.
type LRU struct {
	max       int64
	bytes     int64
	order     *list.List // front = most recently used
	items     map[int64]*list.Element
	evictions int64
}

func newLRU(max int64) *LRU {
	return &LRU{max: max, order: list.New(), items: map[int64]*list.Element{}}
}

func (c *LRU) Get(image int64) *thumb {
	if e, ok := c.items[image]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*thumb)
	}
	return nil
}

func (c *LRU) Put(t *thumb) {
	c.items[t.image] = c.order.PushFront(t)
	c.bytes += int64(len(t.pixels))
	for c.bytes > c.max {
		oldest := c.order.Back()
		old := oldest.Value.(*thumb)
		c.order.Remove(oldest)
		delete(c.items, old.image)
		c.bytes -= int64(len(old.pixels))
		c.evictions++
	}
	cacheBytes.Set(c.bytes)
}

func render(image int64, size int) *thumb {
	px := make([]byte, size)
	for i := 0; i < len(px); i += 128 {
		px[i] = byte(image) + byte(i)
	}
	return &thumb{image: image, pixels: px}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address for /debug/pprof and /debug/vars")
	maxCache := flag.String("cache", "150MiB", "cache bound")
	missRate := flag.String("miss-rate", "1.5MiB", "bytes per second of cold thumbnails rendered and cached")
	thumbSize := flag.String("thumb", "24KiB", "bytes per thumbnail")
	hitRate := flag.Float64("hit-rate", 400, "requests per second for popular images")
	garbageRate := flag.String("garbage-rate", "8MiB", "request-scoped garbage per second")
	flag.Parse()
	limit, miss, size, garbage := mustSize(*maxCache), mustSize(*missRate), mustSize(*thumbSize), mustSize(*garbageRate)

	addr := serve(*listen)
	stopOnSignal() // before the start line: a supervisor may stop us right after it
	fmt.Printf("%s pid=%d listen=%s: LRU bounded at %s, filled by misses at %s/s, then flat\n",
		name, os.Getpid(), addr, *maxCache, *missRate)

	cache := newLRU(int64(limit))
	traffic := newTraffic(garbage, 512)
	cold := newPace(miss / size)
	hot := newPace(*hitRate)
	start := time.Now()
	nextStatus := start.Add(10 * time.Second)
	var hits, misses int64
	for now := range time.Tick(20 * time.Millisecond) {
		for n := cold.due(now); n > 0; n-- {
			image := 1000 + rand.Int63n(50_000_000) // the long tail: almost always a miss
			if cache.Get(image) == nil {
				cache.Put(render(image, int(size)))
				misses++
			}
		}
		for n := hot.due(now); n > 0; n-- {
			image := rand.Int63n(1000) // popular images
			if cache.Get(image) != nil {
				hits++
			} else {
				cache.Put(render(image, int(size)))
				misses++
			}
		}
		traffic.serveDue(now)
		if now.After(nextStatus) {
			nextStatus = now.Add(10 * time.Second)
			fmt.Printf("%s t=%.0fs cached=%d cache=%.1fMiB hits=%d misses=%d evictions=%d\n", name,
				now.Sub(start).Seconds(), len(cache.items), float64(cache.bytes)/(1<<20), hits,
				misses, cache.evictions)
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
