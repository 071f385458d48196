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
 * The mmap script's {@code mmap}/{@code munmap}/{@code mremap}/{@code brk} events of one
 * process: applied to its {@link MappingTracker} and published as {@link MemoryMapping} with the
 * process's outstanding mapped bytes after the call — at most so many a second, in total and per
 * process ({@link EventBudget}); over the budget an event is counted, not published, and the next
 * published one carries the current total.
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

  AddressSpaceEvents(EventSink sink, EventHeaders headers, ProcessStacks stacks,
      EventBudget budget) {
    this.sink = sink;
    this.headers = headers;
    this.stacks = stacks;
    this.budget = budget;
  }

  void apply(TracedProcess p, ProbeEvent e) {
    long ret = e.longField("ret");
    MemoryMapping.Builder m = MemoryMapping.newBuilder().setHeader(headers.next(p.identity(),
        Source.EBPF, ClockDomain.MONOTONIC, e.timestampNs()));
    boolean changed = e.name().equals("brk") || (e.name().equals("munmap") ? ret == 0 : ret >= 0);
    // the budget is asked first: a stack is only named (ELF files, maps: outside the lock) for
    // an event that will be published
    boolean publish = changed && budget.allow(p.pid(), System.nanoTime());
    StackTrace stack = publish && e.name().equals("mmap") ? stacks.of(p, e, true) : null;
    synchronized (p) {
      MappingTracker mappings = p.mappings();
      switch (e.name()) {
        case "mmap" -> {
          if (ret < 0) {
            return; // failed mmap: nothing changed
          }
          long length = e.longField("len");
          mappings.mapped(ret, length, e.timestampNs());
          int fd = (int) e.longField("fd");
          m.setOp(MappingOp.MMAP).setAddress(ret).setLengthBytes(length)
              .setProtection(MmapFlags.protection(e.longField("prot")))
              .setFlags(MmapFlags.flags(e.longField("flags")))
              .setPath(fd >= 0 ? MmapFlags.fdPath(p.root().getParent(), fd) : null)
              .setStack(stack);
        }
        case "munmap" -> {
          if (ret != 0) {
            return;
          }
          long address = e.longField("addr");
          long length = e.longField("len");
          mappings.unmapped(address, length);
          m.setOp(MappingOp.MUNMAP).setAddress(address).setLengthBytes(length);
        }
        case "mremap" -> {
          if (ret < 0) {
            return;
          }
          long length = e.longField("len");
          mappings.remapped(e.longField("addr"), e.longField("old_len"), ret, length,
              e.timestampNs());
          m.setOp(MappingOp.MREMAP).setAddress(ret).setLengthBytes(length);
        }
        default -> { // brk
          long change = mappings.brk(ret);
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
