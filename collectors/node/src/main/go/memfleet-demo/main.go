// memfleet-demo is the leaking Go program memfleet collects from in its tests and in
// `memfleet up`. Each leak is switched on by -mode (comma-separated, combinable):
//
//	healthy         bursty goroutines and short-lived garbage that return to baseline
//	goroutine-leak  goroutines that block forever, -rate per second
//	heap-leak       -chunk bytes per leak kept reachable from a global, -rate per second
//	mmap-leak       anonymous mappings of -chunk bytes, touched and never unmapped
//
// -ballast holds that many bytes from the start, touched and reachable: a large, stable cache, so
// a slow leak starts close to a memory limit (the OOM-imminent demo).
//
// It serves expvar on /debug/vars and net/http/pprof on -listen, and prints
// "memfleet-demo listening on ADDR" once the port is open, so a caller that passed port 0
// learns the real one. Run it with GODEBUG=gctrace=1 to get one trace line per GC cycle on
// stderr. Standard library only, so it builds without network access.
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
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	leakedHeapBytes  = expvar.NewInt("memfleet_leaked_heap_bytes")
	leakedMmapBytes  = expvar.NewInt("memfleet_leaked_mmap_bytes")
	leakedGoroutines = expvar.NewInt("memfleet_leaked_goroutines")
	modeVar          = expvar.NewString("memfleet_mode")
)

// retained keeps leaked heap chunks reachable so the collector can never free them.
var (
	retainedMu sync.Mutex
	retained   [][]byte
	mappings   [][]byte
	ballast    []byte
	sink       []byte
)

func main() {
	mode := flag.String("mode", "healthy", "comma-separated: healthy, goroutine-leak, heap-leak, mmap-leak")
	rate := flag.Float64("rate", 10, "leak operations per second for each leak mode")
	chunk := flag.Int("chunk", 64*1024, "bytes per heap or mmap leak operation")
	listen := flag.String("listen", "127.0.0.1:0", "address for /debug/vars and /debug/pprof")
	duration := flag.Duration("duration", 0, "exit after this long (0 = run until killed)")
	forceGC := flag.Duration("force-gc", 0, "call runtime.GC() this often (0 = never), giving (forced) gctrace lines")
	ballastBytes := flag.Int("ballast", 0, "bytes held from the start (a stable cache), touched so they are resident")
	flag.Parse()

	modes := map[string]bool{}
	for _, m := range strings.Split(*mode, ",") {
		m = strings.TrimSpace(m)
		switch m {
		case "healthy", "goroutine-leak", "heap-leak", "mmap-leak":
			modes[m] = true
		case "":
		default:
			fmt.Fprintf(os.Stderr, "unknown mode %q\n", m)
			os.Exit(2)
		}
	}
	if *rate <= 0 || *chunk <= 0 || *ballastBytes < 0 {
		fmt.Fprintln(os.Stderr, "-rate and -chunk must be positive, -ballast not negative")
		os.Exit(2)
	}
	if *ballastBytes > 0 {
		ballast = make([]byte, *ballastBytes)
		for i := 0; i < len(ballast); i += 4096 {
			ballast[i] = 1
		}
	}
	modeVar.Set(*mode)

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen %s: %v\n", *listen, err)
		os.Exit(1)
	}
	fmt.Printf("memfleet-demo listening on %s pid %d mode %s\n", ln.Addr(), os.Getpid(), *mode)
	go func() {
		// DefaultServeMux carries /debug/vars (expvar) and /debug/pprof/ (net/http/pprof).
		if err := http.Serve(ln, nil); err != nil {
			fmt.Fprintf(os.Stderr, "serve: %v\n", err)
			os.Exit(1)
		}
	}()

	interval := time.Duration(float64(time.Second) / *rate)
	if modes["goroutine-leak"] {
		go every(interval, leakGoroutine)
	}
	if modes["heap-leak"] {
		go every(interval, func() { leakHeap(*chunk) })
	}
	if modes["mmap-leak"] {
		go every(interval, func() { leakMmap(*chunk) })
	}
	// Every mode makes short-lived garbage so the GC runs and gctrace has lines to print.
	go every(20*time.Millisecond, churn)
	if modes["healthy"] {
		go every(time.Second, burst)
	}
	if *forceGC > 0 {
		go every(*forceGC, runtime.GC)
	}
	if *duration > 0 {
		time.Sleep(*duration)
		os.Exit(0)
	}
	select {}
}

func every(interval time.Duration, work func()) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for range ticker.C {
		work()
	}
}

func leakGoroutine() {
	block := make(chan struct{})
	go func() {
		<-block // never closed: the goroutine and its stack leak
	}()
	leakedGoroutines.Add(1)
}

func leakHeap(size int) {
	b := make([]byte, size)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1 // touch every page so the leak is resident, not only reserved
	}
	retainedMu.Lock()
	retained = append(retained, b)
	retainedMu.Unlock()
	leakedHeapBytes.Add(int64(size))
}

func leakMmap(size int) {
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mmap: %v\n", err)
		return
	}
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	retainedMu.Lock()
	mappings = append(mappings, b) // never passed to syscall.Munmap
	retainedMu.Unlock()
	leakedMmapBytes.Add(int64(size))
}

// churn allocates garbage that dies at once.
func churn() {
	for i := 0; i < 16; i++ {
		sink = make([]byte, 16*1024)
	}
}

// burst starts a few dozen goroutines that finish within half a second, so the goroutine
// count spikes and returns to its baseline: the shape a leak detector must not flag.
func burst() {
	n := 20 + rand.Intn(40)
	for i := 0; i < n; i++ {
		go func() {
			buf := make([]byte, 8*1024)
			time.Sleep(time.Duration(50+rand.Intn(400)) * time.Millisecond)
			sink = buf
		}()
	}
}
