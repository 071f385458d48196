// order-index is an order service that indexes every order it takes by customer, for a
// "recent orders" page, and never prunes the index: each order adds a record of small objects
// (the order, its line items, a note) through main.(*Index).Add, about 1 MiB/s at the default
// rate, many allocations of a few hundred bytes rather than a few large ones, beside ordinary
// request garbage. Like most Go services it serves net/http/pprof alone, no expvar: its memory
// statistics are only on the heap profile's page. Scenario go-pprof-only-heap-leak.
//
//	order-index -listen 127.0.0.1:0 -leak-rate 1MiB -garbage-rate 8MiB
package main

import (
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

const name = "order-index"

// Order is one order as the index keeps it.
type Order struct {
	ID       string
	Customer string
	Items    []string
	Note     string
	Placed   time.Time
}

// Index holds every order by customer. Nothing ever removes one.
type Index struct {
	mu         sync.Mutex
	byCustomer map[string][]*Order
	orders     int64
}

// orderBytes is about what one indexed order keeps: the record, five item names, the note.
const orderBytes = 1024

// Add builds the order's record and indexes it: the leaking allocation site.
//
//go:noinline
func (x *Index) Add(id int64, customer string, seed int) *Order {
	items := make([]string, 5)
	for i := range items {
		items[i] = "sku-" + strconv.Itoa(seed*7+i) + "-" + strings.Repeat("x", 96)
	}
	o := &Order{ID: strconv.FormatInt(id, 36), Customer: customer, Items: items,
		Note: strings.Repeat("n", 256), Placed: time.Now()}
	x.mu.Lock()
	x.byCustomer[customer] = append(x.byCustomer[customer], o)
	x.orders++
	x.mu.Unlock()
	return o
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address for /debug/pprof")
	leakRate := flag.String("leak-rate", "1MiB", "bytes per second of orders indexed (kept forever)")
	garbageRate := flag.String("garbage-rate", "8MiB", "request-scoped garbage per second")
	flag.Parse()
	leak, garbage := mustSize(*leakRate), mustSize(*garbageRate)

	addr := serve(*listen)
	stopOnSignal() // before the start line: a supervisor may stop us right after it
	fmt.Printf("%s pid=%d listen=%s: order index that is never pruned, leak %s/s, request garbage %s/s\n",
		name, os.Getpid(), addr, *leakRate, *garbageRate)

	index := &Index{byCustomer: map[string][]*Order{}}
	traffic := newTraffic(garbage, 512)
	orders := newPace(leak / orderBytes)
	start := time.Now()
	nextStatus := start.Add(10 * time.Second)
	var placed int64
	for now := range time.Tick(20 * time.Millisecond) {
		for n := orders.due(now); n > 0; n-- {
			customer := "c" + strconv.Itoa(rand.Intn(50000))
			index.Add(placed, customer, int(placed%1000))
			placed++
		}
		traffic.serveDue(now)
		if now.After(nextStatus) {
			nextStatus = now.Add(10 * time.Second)
			index.mu.Lock()
			n, c := index.orders, len(index.byCustomer)
			index.mu.Unlock()
			fmt.Printf("%s t=%.0fs orders=%d customers=%d requests=%d\n", name,
				now.Sub(start).Seconds(), n, c, traffic.served)
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
