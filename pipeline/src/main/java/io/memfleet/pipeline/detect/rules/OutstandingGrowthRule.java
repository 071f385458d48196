package io.memfleet.pipeline.detect.rules;

import io.memfleet.event.Runtime;
import io.memfleet.pipeline.detect.Observation;
import io.memfleet.pipeline.detect.Signal;
import java.time.Duration;
import java.util.List;

/**
 * {@code outstanding-growth}: the bytes one allocating stack still holds (malloc/calloc/realloc
 * not freed, eBPF OUTSTANDING tallies) — or the process's mapped bytes (mmap not unmapped) — keep
 * growing. Each stack is its own series, so the alert names the stack that leaks; the mapped
 * bytes are one series, named by the stack that mapped the most lately or, when malloc's heap
 * grows through the break, by the stack that faults its new pages in.
 *
 * <p>Input: {@link Signal#OUTSTANDING} observations (the latest tally per bucket). Thresholds
 * under {@code memfleet.detect.outstanding.*}: 6 buckets, 60 s, within 10 min, growth ≥ 10% and
 * ≥ 4 MiB. A large allocation that stays (a stable cache) has no growth and does not fire.
 *
 * <p>The mapped bytes of a JVM or a Go program grow with its managed heap too: the runtime maps
 * the heap's arenas, metaspace and thread stacks itself. Those are the heap and thread rules'
 * business; the mapped series of a managed process is judged only while the stack that mapped
 * the most lately (the tally decays) is the program's, not the runtime's memory manager
 * ({@link #runtimeOwn}: a Go stack entered through {@code runtime.} — below the C library's
 * {@code mmap} in a cgo binary —, a JVM stack through
 * HotSpot's {@code os::}) and has a frame of the program in it, not only the C library's and the
 * dynamic loader's ({@link #programMaps}) — a Go program mapping segments through
 * {@code syscall.Mmap}, a JVM mapping files through JNI. (An eval's direct-buffer JVM raised it
 * "from mmap" when the latest mapping stack was {@code mmap, _dl_map_object}: its mapped bytes
 * were glibc's arenas holding the leaked buffers, which the direct-buffer rule reports.)
 *
 * <p>The mapped bytes are address space, not memory: the series counts only while the resident
 * set grows by at least half as much over the run ({@link #residentGrew}) — a process whose
 * allocator maps ever more and gives the pages back with madvise (jemalloc's retained address
 * space: a ClickHouse server mapped 13 MiB/s for minutes at a flat 160 MiB resident) is not
 * leaking.
 */
public final class OutstandingGrowthRule extends GrowthRule {
  private static final long serialVersionUID = 1L;
  public static final String NAME = "outstanding-growth";
  /** Share of the mapped growth the resident set must grow by as well. */
  static final double RESIDENT_SHARE = 0.5;

  public OutstandingGrowthRule(GrowthSettings settings, Duration criticalHorizon) {
    super(settings, criticalHorizon);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Signal signal() {
    return Signal.OUTSTANDING;
  }

  @Override
  protected boolean alsoHolds(List<Observation> run, Trend trend) {
    Observation last = run.get(run.size() - 1);
    if (!"mmap".equals(last.series)) {
      return true;
    }
    if (!residentGrew(run, trend)) {
      return false;
    }
    boolean managed = last.runtime == Runtime.JVM || last.runtime == Runtime.GO;
    return !managed || last.stackFrames != null && programMaps(last.runtime, last.stackFrames);
  }

  /**
   * Whether a managed process's mapping stack is the program's: not its runtime's own memory
   * manager ({@link #runtimeOwn}), and with a frame of the program in it ({@link
   * Culprits#programFrame}, or cgo's C.malloc for it: {@link Culprits#cgoAllocation}) — a stack
   * of the C library and the dynamic loader alone (a JVM's {@code mmap} from
   * {@code _dl_map_object}, a library being loaded) is no program's mapping.
   */
  static boolean programMaps(Runtime runtime, String frames) {
    List<String> stack = java.util.Arrays.asList(frames.split("\n", -1));
    return !runtimeOwn(runtime, frames)
        && (Culprits.programFrame(stack) != null || Culprits.cgoAllocation(stack));
  }

  /**
   * Whether the resident set (the mapped series' companion) grew by at least
   * {@value #RESIDENT_SHARE} of the mapped growth over the run — true when it is not known.
   * Allocators that keep their address space (jemalloc retains what it mapped and gives pages
   * back with madvise) map more and more while their memory stays flat: address space, no leak.
   */
  static boolean residentGrew(List<Observation> run, Trend trend) {
    double first = Double.NaN;
    for (Observation o : run) {
      if (!Double.isNaN(o.companion)) {
        first = o.companion;
        break;
      }
    }
    double last = run.get(run.size() - 1).companion;
    return Double.isNaN(first) || Double.isNaN(last)
        || last - first >= RESIDENT_SHARE * trend.growth;
  }

  /**
   * Whether a mapping stack (innermost frame first, frames joined by newlines) is the managed
   * runtime's own memory manager at work: Go's innermost frame is in package {@code runtime}
   * (its heap arenas; a program's own {@code syscall.Mmap} enters through
   * {@code runtime/internal/syscall}), or a JVM stack passes through HotSpot's {@code os::}
   * layer, a HotSpot heap's own mapper ({@code ZPhysicalMemoryBacking}, …) or unsymbolized
   * {@code libjvm.so} (heap, metaspace, code cache, thread stacks).
   */
  static boolean runtimeOwn(Runtime runtime, String frames) {
    if (runtime == Runtime.GO) {
      // a cgo binary (the default where a C compiler is installed and the program uses net or
      // os/user) maps through the C library first: mmap64 <- runtime/cgo(.text) <- runtime.mmap
      for (String f : frames.split("\n", -1)) {
        if (Culprits.cgoMalloc(f)) {
          return false; // C.malloc for the program's Go code, not the runtime's
        }
        if (f.startsWith("runtime/cgo") || f.indexOf('.') < 0 && Culprits.machinery(f)) {
          continue;
        }
        return f.startsWith("runtime.");
      }
      return false;
    }
    return runtime == Runtime.JVM && (frames.contains("_ZN2os") || frames.contains("libjvm.so")
        || HOTSPOT_HEAP.matcher(frames).find());
  }

  /**
   * HotSpot's heap managers mapping heap memory themselves, past {@code os::} (seen: a JDK 25 ZGC
   * JVM's heap growing with its leak, "native memory grows 691.1 KiB/s, from
   * ZPhysicalMemoryBacking::map").
   */
  private static final java.util.regex.Pattern HOTSPOT_HEAP = java.util.regex.Pattern.compile(
      "(?m)^_ZNK?\\d+(?:Z(?:PhysicalMemory|PageAllocator|VirtualMemory|Heap)|ShenandoahHeap"
          + "|G1PageBasedVirtualSpace|G1RegionsLargerThanCommitSizeMapper)\\w*");

  @Override
  protected boolean limitIsCompanion() {
    return false;
  }

  @Override
  protected String what() {
    return "outstanding native bytes";
  }

  @Override
  protected String poolName() {
    return "native memory";
  }

  @Override
  public io.memfleet.event.MemoryPool pool(Observation o) {
    if (!"mmap".equals(o.series)) {
      return io.memfleet.event.MemoryPool.MALLOC;
    }
    // the process's address space: malloc's heap when the break grew, else mappings
    return o.poolHint != null ? o.poolHint : io.memfleet.event.MemoryPool.MMAP;
  }

  @Override
  public String evidenceKind(Observation o) {
    return "mmap".equals(o.series) ? "MemoryMapping.outstandingBytes"
        : "Allocation.outstandingBytes";
  }

  @Override
  public String describe(Observation o) {
    if (o.stackFrames != null) {
      int nl = o.stackFrames.indexOf('\n');
      return "held by " + (nl < 0 ? o.stackFrames : o.stackFrames.substring(0, nl));
    }
    return "mapped bytes outstanding";
  }
}
