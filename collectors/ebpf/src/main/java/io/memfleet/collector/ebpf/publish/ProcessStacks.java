package io.memfleet.collector.ebpf.publish;

import io.memfleet.collector.ebpf.bpftrace.ProbeEvent;
import io.memfleet.collector.ebpf.stack.Frame;
import io.memfleet.collector.ebpf.stack.ModuleMap;
import io.memfleet.collector.ebpf.stack.StackScan;
import io.memfleet.collector.ebpf.stack.Stacks;
import io.memfleet.collector.ebpf.stack.Symbolizer;
import io.memfleet.collector.ebpf.track.TracedProcess;
import io.memfleet.event.StackTrace;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stack of one script event, as memfleet publishes it for the process it belongs to: frames
 * the script printed as bare addresses are named from that process's files ({@link Symbolizer});
 * stacks of mmap and page-fault events that end in the C library (no frame pointers) get the
 * program's own frames back from the stack words the scripts print ({@link StackScan}) — but
 * only when the event's {@code ip=}, if printed, is the stack's innermost address (the words
 * were read at the same place: the mmap script reads the user registers from the kernel stack).
 *
 * <pre>{@code
 * ProcessStacks stacks = new ProcessStacks(new Symbolizer(images), 16);
 * StackTrace st = stacks.of(process, event, true);
 * }</pre>
 *
 * <p>Thread-safe.
 */
final class ProcessStacks {
  private final Symbolizer symbolizer;
  private final int stackDepth;
  private final AtomicLong recovered = new AtomicLong();
  private final AtomicLong badWords = new AtomicLong();

  ProcessStacks(Symbolizer symbolizer, int stackDepth) {
    this.symbolizer = symbolizer;
    this.stackDepth = stackDepth;
  }

  /** The event's stack, named; with {@code scan}, completed through the C library. */
  StackTrace of(TracedProcess p, ProbeEvent e, boolean scan) {
    List<Frame> frames = e.stack();
    if (frames.isEmpty()) {
      return null;
    }
    ModuleMap modules = p.modulesFor(frames);
    String words = scan ? e.field("words") : null;
    String ip = e.field("ip");
    if (words != null && (ip == null || parseHex(ip) == frames.get(0).address())) {
      try {
        // 0 when no return probe is pending; an unreadable value (-1) counts as none
        long pendingReturn = e.field("uret") == null ? 0 : Math.max(0, parseHex(e.field("uret")));
        if (pendingReturn != 0) {
          p.expectUprobeTrampolines();
        }
        List<Frame> completed = StackScan.recover(frames, Long.parseUnsignedLong(e.field("sp"),
            16), hexWords(words), pendingReturn, p.returnAddresses());
        if (completed != frames) {
          recovered.incrementAndGet();
          frames = completed;
        }
      } catch (NumberFormatException bad) {
        badWords.incrementAndGet(); // published with the walked stack only
      }
    }
    frames = symbolizer.symbolize(frames, modules, p.root());
    return Stacks.toStackTrace(frames, modules, stackDepth);
  }

  /** Stacks {@link StackScan} completed. */
  long recovered() {
    return recovered.get();
  }

  /** Events whose stack words could not be read as numbers. */
  long badWords() {
    return badWords.get();
  }

  private static long parseHex(String text) {
    try {
      return Long.parseUnsignedLong(text, 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long[] hexWords(String text) {
    String[] parts = text.split(",");
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = parts[i].isEmpty() ? 0 : Long.parseUnsignedLong(parts[i], 16);
    }
    return out;
  }
}
