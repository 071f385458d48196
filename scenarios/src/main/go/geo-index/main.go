// geo-index is a geocoding service that loads its reference index at start: tiles stream in
// at 5 MiB/s for the first 45 s (about 225 MiB), then the index is complete, growth stops
// and the service answers lookups from it with ordinary request garbage. Fast growth, then a
// plateau: not a leak. It serves net/http/pprof and expvar on -listen.
// Scenario go-warmup-plateau.
//
//	geo-index -listen 127.0.0.1:0 -load-rate 5MiB -load-time 45s -tile 64KiB -garbage-rate 8MiB
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
	"syscall"
	"time"
)

const name = "geo-index"

var indexBytes = expvar.NewInt("geo_index_bytes")

// tile is one square of the index: packed coordinates of the places in it.
type tile struct {
	x, y   int
	places []uint64
}

func loadTile(x, y, size int) *tile {
	t := &tile{x: x, y: y, places: make([]uint64, size/8)}
	for i := range t.places {
		t.places[i] = uint64(x)<<40 | uint64(y)<<20 | uint64(i)
	}
	return t
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address for /debug/pprof and /debug/vars")
	loadRate := flag.String("load-rate", "5MiB", "reference data loaded per second during warm-up")
	loadTime := flag.Duration("load-time", 45*time.Second, "how long loading takes")
	tileSize := flag.String("tile", "64KiB", "bytes per tile")
	lookupRate := flag.Float64("lookup-rate", 2000, "lookups per second")
	garbageRate := flag.String("garbage-rate", "8MiB", "request-scoped garbage per second")
	flag.Parse()
	load, tileBytes, garbage := mustSize(*loadRate), mustSize(*tileSize), mustSize(*garbageRate)

	addr := serve(*listen)
	stopOnSignal() // before the start line: a supervisor may stop us right after it
	fmt.Printf("%s pid=%d listen=%s: loads its index at %s/s for %v, then serves lookups\n",
		name, os.Getpid(), addr, *loadRate, *loadTime)

	var index []*tile
	traffic := newTraffic(garbage, 512)
	tiles := newPace(load / tileBytes)
	lookups := newPace(*lookupRate)
	start := time.Now()
	nextStatus := start.Add(10 * time.Second)
	loading := true
	var found uint64
	for now := range time.Tick(20 * time.Millisecond) {
		due := tiles.due(now)
		if loading && now.Sub(start) >= *loadTime {
			loading = false
			fmt.Printf("%s t=%.0fs index loaded: %d tiles, %.1fMiB\n", name,
				now.Sub(start).Seconds(), len(index), float64(len(index))*tileBytes/(1<<20))
		}
		for n := due; loading && n > 0; n-- {
			index = append(index, loadTile(len(index)%1000, len(index)/1000, int(tileBytes)))
			indexBytes.Set(int64(float64(len(index)) * tileBytes))
		}
		for n := lookups.due(now); n > 0 && len(index) > 0; n-- {
			t := index[rand.Intn(len(index))]
			found += t.places[rand.Intn(len(t.places))]
		}
		traffic.serveDue(now)
		if now.After(nextStatus) {
			nextStatus = now.Add(10 * time.Second)
			fmt.Printf("%s t=%.0fs tiles=%d requests=%d checksum=%d\n", name,
				now.Sub(start).Seconds(), len(index), traffic.served, found)
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
