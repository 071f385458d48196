package io.memfleet.collector.ebpf.publish;

import io.memfleet.collector.EventHeaders;
import io.memfleet.collector.EventSink;
import io.memfleet.collector.ebpf.bpftrace.ProbeEvent;
import io.memfleet.collector.ebpf.track.MappingTracker;
import io.memfleet.collector.ebpf.track.TracedProcess;
import io.memfleet.event.ClockDomain;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.Source;
import io.memfleet.event.StackTrace;

/**
 * The mmap script's {@code mmap}/{@code munmap}/{@code mremap}/{@code brk}/{@code madvise}
 * events of one process: applied to its {@link MappingTracker} (with the mapping's stack) and
 * its {@link io.memfleet.collector.ebpf.track.FaultedInPages} (what left the address space or
 * was given back takes its pages' fault samples off their stacks), and published as
 * {@link MemoryMapping} with the process's outstanding mapped bytes after the call — at most so
 * many a second, in total and per process ({@link EventBudget}); over the budget an event is
 * counted, not published, and the next published one carries the current total. madvise is
 * never published: it changes no mapping.
 *
 * <pre>{@code
 * AddressSpaceEvents mappings = new AddressSpaceEvents(sink, headers, stacks,
 *     new EventBudget(1000, 100));
 * mappings.apply(process, event);
 * }</pre>
 *
 * <p>Thread-safe: the process is locked while its tracker changes.
 */
final class AddressSpaceEvents {
  private final EventSink sink;
  private final EventHeaders headers;
  private final ProcessStacks stacks;
  private final EventBudget budget;
  private final EventBudget naming;

  /**
   * {@code naming}: how many mappings a second, in total and per process, get their stack
   * named besides those published (naming reads ELF files and scans stack words).
   */
  AddressSpaceEvents(EventSink sink, EventHeaders headers, ProcessStacks stacks,
      EventBudget budget, EventBudget naming) {
    this.sink = sink;
    this.headers = headers;
    this.stacks = stacks;
    this.budget = budget;
    this.naming = naming;
  }

  void apply(TracedProcess p, ProbeEvent e) {
    long ret = e.longField("ret");
    MemoryMapping.Builder m = MemoryMapping.newBuilder().setHeader(headers.next(p.identity(),
        Source.EBPF, ClockDomain.MONOTONIC, e.timestampNs()));
    if (e.name().equals("madvise")) {
      if (ret == 0) {
        synchronized (p) {
          p.pages().released(e.longField("addr"), e.longField("len"), e.timestampNs());
          p.addressSpaceChanged();
        }
      }
      return;
    }
    boolean changed = e.name().equals("brk") || (e.name().equals("munmap") ? ret == 0 : ret >= 0);
    boolean publish = changed && budget.allow(p.pid(), System.nanoTime());
    // a mapping's stack is named (ELF files, maps: outside the lock) when it is published, and
    // within its own budget for the others that hold memory (not a PROT_NONE reservation): the
    // mapping keeps its stack until unmapped; beyond the budget it is tracked without one
    boolean mmap = e.name().equals("mmap") && ret >= 0 && e.longField("len") > 0;
    boolean holdsMemory = mmap && e.longField("prot") != 0; // PROT_NONE reserves, holds none
    StackTrace stack = mmap && (publish || holdsMemory
        && naming.allow(p.pid(), System.nanoTime())) ? stacks.of(p, e, true) : null;
    synchronized (p) {
      MappingTracker mappings = p.mappings();
      if (changed) {
        p.addressSpaceChanged();
      }
      switch (e.name()) {
        case "mmap" -> {
          if (ret < 0) {
            return; // failed mmap: nothing changed
          }
          long length = e.longField("len");
          mappings.mapped(ret, length, e.timestampNs(),
              holdsMemory ? stack : null);
          int fd = (int) e.longField("fd");
          m.setOp(MappingOp.MMAP).setAddress(ret).setLengthBytes(length)
              .setProtection(MmapFlags.protection(e.longField("prot")))
              .setFlags(MmapFlags.flags(e.longField("flags")))
              .setPath(fd >= 0 ? MmapFlags.fdPath(p.root().getParent(), fd) : null)
              .setStack(publish ? stack : null);
        }
        case "munmap" -> {
          if (ret != 0) {
            return;
          }
          long address = e.longField("addr");
          long length = e.longField("len");
          mappings.unmapped(address, length);
          p.pages().released(address, length, e.timestampNs());
          m.setOp(MappingOp.MUNMAP).setAddress(address).setLengthBytes(length);
        }
        case "mremap" -> {
          if (ret < 0) {
            return;
          }
          long length = e.longField("len");
          long old = e.longField("addr");
          long oldLength = e.longField("old_len");
          mappings.remapped(old, oldLength, ret, length, e.timestampNs());
          if (ret != old) {
            p.pages().released(old, oldLength, e.timestampNs()); // the pages moved: unknown
          } else if (length < oldLength) {
            p.pages().released(old + length, oldLength - length, e.timestampNs());
          }
          m.setOp(MappingOp.MREMAP).setAddress(ret).setLengthBytes(length);
        }
        default -> { // brk
          long change = mappings.brk(ret);
          if (change < 0) {
            p.pages().released(ret, -change, e.timestampNs()); // malloc trimmed its heap
          }
          m.setOp(MappingOp.BRK).setAddress(ret).setLengthBytes(change);
        }
      }
      m.setOutstandingBytes(mappings.outstandingBytes());
    }
    if (publish) {
      sink.publish(m.build());
    }
  }

  /** Events not published because their second's budget was spent. */
  long overBudget() {
    return budget.denied();
  }
}
