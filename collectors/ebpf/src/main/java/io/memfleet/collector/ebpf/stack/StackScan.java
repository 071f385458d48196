package io.memfleet.collector.ebpf.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Recovers the program's own frames that a frame-pointer walk loses when a sample lands in the
 * C library, which is built without frame pointers: a page fault on a fresh heap page mostly
 * happens inside {@code malloc} (writing a chunk header) or {@code memset}, and then the walk
 * either skips the direct caller (a leaf that left {@code rbp} alone) or yields nothing but the
 * libc frame ({@code rbp} used as a general register).
 *
 * <p>From the words on the stack above the stack pointer (the faults script prints them):
 * the first word that is a return address into code outside the C library (it points into an
 * executable mapping and follows a call instruction) is the call the library was entered from.
 * If the walk went on past the library, that caller is inserted after the library frames; if
 * the walk stopped in the library, the frame-pointer chain is followed from the first frame
 * record above that return address (a saved frame pointer pointing further up the captured
 * words, next to a return address), as far as the captured words reach.
 *
 * <pre>{@code
 * List<Frame> frames = StackScan.recover(event.stack(), sp, words, resolver);
 * }</pre>
 *
 * <p>The C library is told by its module (the shared {@code libc.so.6}, the dynamic loader) or,
 * in a statically linked program where it is part of the program's own module, by the names of
 * its functions ({@link #isCLibrary}: {@code malloc}'s internals, {@code mem*} and their
 * variants, syscall wrappers).
 *
 * <p>A return probe pending on a call in progress (memfleet's own malloc escalation, or another
 * tracer's) has the kernel's trampoline on the stack in place of that call's return address;
 * the scripts print the original ({@code uret=}) and it is put back first.
 *
 * <p>It is a heuristic: a stale code pointer that happens to follow a call instruction in an
 * uninitialised stack slot could be taken for the caller. Only samples whose innermost frame is
 * in the C library or the dynamic loader are touched.
 */
public final class StackScan {
  /** Turns a stack word into a frame when it can be a return address; the production one is
   *  {@link ReturnAddresses}. */
  public interface Resolver {
    /** The module holding code at {@code address}, if it is in a file-backed mapping. */
    Optional<String> moduleOf(long address);

    /** A frame for {@code word} when it is a return address into executable code. */
    Optional<Frame> returnFrame(long word);

    /**
     * The function holding code at {@code address}, from the file's symbols: for a walked frame
     * the tracer printed without a name (bpftrace names none host-wide). Empty by default.
     */
    default Optional<String> symbolAt(long address) {
      return Optional.empty();
    }

    /**
     * Whether {@code word} is the kernel's uprobe trampoline: the return address of a call a
     * return probe is pending on, replaced. False by default.
     */
    default boolean isProbeTrampoline(long word) {
      return false;
    }
  }

  private StackScan() {}

  /**
   * The walked frames with the lost ones put back; {@code walked} itself when the innermost
   * frame is not in the C library or nothing could be recovered.
   */
  public static List<Frame> recover(List<Frame> walked, long sp, long[] words,
      Resolver resolver) {
    return recover(walked, sp, words, 0, resolver);
  }

  /**
   * As {@link #recover(List, long, long[], Resolver)}, on a stack where a return probe may be
   * pending: {@code pendingReturn} (0 when none) is the original return address of the innermost
   * call a return probe is pending on, which the kernel replaced on the stack with its
   * trampoline. It takes the place of the innermost trampoline word; without it, a sample inside
   * {@code malloc} while {@code malloc} is probed (memfleet's malloc escalation) would skip the
   * caller and name the caller's caller.
   */
  public static List<Frame> recover(List<Frame> walked, long sp, long[] words,
      long pendingReturn, Resolver resolver) {
    if (walked.isEmpty() || words.length == 0) {
      return walked;
    }
    if (pendingReturn != 0) {
      words = restorePendingReturn(words, pendingReturn, resolver);
    }
    if (!isCLibrary(walked.get(0), resolver)) {
      return walked;
    }
    int slot = -1;
    Frame caller = null;
    for (int i = 0; i < words.length && caller == null; i++) {
      Optional<Frame> f = resolver.returnFrame(words[i]);
      if (f.isPresent() && !isCLibrary(f.get(), resolver)) {
        slot = i;
        caller = f.get();
      }
    }
    if (caller == null) {
      return walked;
    }
    int outside = -1;
    for (int k = 1; k < walked.size() && outside < 0; k++) {
      if (!isCLibrary(walked.get(k), resolver)) {
        outside = k;
      }
    }
    List<Frame> out = new ArrayList<>(walked.subList(0, outside < 0 ? walked.size() : outside));
    if (outside > 0) {
      if (sameFunction(walked.get(outside), caller)) {
        return walked;
      }
      out.add(caller);
      out.addAll(walked.subList(outside, walked.size()));
      return out;
    }
    out.add(caller);
    int record = firstFrameRecord(words, sp, slot + 1, resolver);
    while (record >= 0 && record + 1 < words.length) {
      Optional<Frame> ret = resolver.returnFrame(words[record + 1]);
      if (ret.isEmpty()) {
        break;
      }
      out.add(ret.get());
      long saved = words[record];
      long here = sp + 8L * record;
      if (Long.compareUnsigned(saved, here) <= 0 || (saved - sp) % 8 != 0) {
        break;
      }
      long next = (saved - sp) / 8;
      record = next < words.length ? (int) next : -1;
    }
    return out;
  }

  private static long[] restorePendingReturn(long[] words, long pendingReturn,
      Resolver resolver) {
    for (int i = 0; i < words.length; i++) {
      if (resolver.isProbeTrampoline(words[i])) {
        long[] restored = words.clone();
        restored[i] = pendingReturn;
        return restored;
      }
    }
    return words;
  }

  /** Index of the first saved-frame-pointer slot at or after {@code from}, or -1. */
  private static int firstFrameRecord(long[] words, long sp, int from, Resolver resolver) {
    long end = sp + 8L * words.length;
    for (int j = from; j + 1 < words.length; j++) {
      long here = sp + 8L * j;
      long w = words[j];
      boolean pointsUp = Long.compareUnsigned(w, here) > 0 && Long.compareUnsigned(w, end) < 0
          && (w - sp) % 8 == 0;
      if (pointsUp && resolver.returnFrame(words[j + 1]).isPresent()) {
        return j;
      }
    }
    return -1;
  }

  private static String module(Frame f, Resolver resolver) {
    return f.module() != null && f.module().startsWith("/") ? f.module()
        : resolver.moduleOf(f.address()).orElse(f.module());
  }

  private static boolean sameFunction(Frame a, Frame b) {
    return a.symbol() != null && a.symbol().equals(b.symbol());
  }

  /**
   * Functions of the C library by name, for a program that links it statically: the allocator
   * and its internals, the string and memory functions (and their CPU-specific variants, named
   * {@code __memset_avx2_unaligned_erms} and so on), the memory syscall wrappers.
   */
  private static final java.util.regex.Pattern C_LIBRARY_FUNCTION = java.util.regex.Pattern
      .compile("__.*|_int_.*|_dl_.*|_IO_.*|(?:malloc|calloc|realloc|free|cfree|sysmalloc"
          + "|systrim|tcache_\\w+|arena_\\w+|new_heap|grow_heap|malloc_consolidate|unlink_chunk"
          + "|alloc_perturb|mmap|mmap64|munmap|mremap|brk|sbrk|memset|memcpy|memmove|memcmp"
          + "|strlen|strcpy|strdup|strndup)");

  /**
   * Whether a frame is in the C library: a frame-pointer-less module ({@link #isFramePointerLess})
   * or, within the program's own module, a C library function by name.
   */
  static boolean isCLibrary(Frame f, Resolver resolver) {
    String m = module(f, resolver);
    if (m != null && isFramePointerLess(m)) {
      return true;
    }
    // bpftrace prints an address it could not name as the name ("0x42827a")
    String symbol = f.symbol() != null && !f.symbol().startsWith("0x") ? f.symbol()
        : resolver.symbolAt(f.address()).orElse(null);
    return symbol != null && C_LIBRARY_FUNCTION.matcher(symbol).matches();
  }

  /** The C library, the dynamic loader and the C++ runtime (whose {@code operator new} every
   *  C++ allocation goes through): built without frame pointers on every distribution memfleet
   *  knows of. */
  static boolean isFramePointerLess(String module) {
    if (module == null) {
      return false;
    }
    String name = module.substring(module.lastIndexOf('/') + 1);
    return name.equals("libc.so.6") || name.matches("libc-[0-9.]+\\.so")
        || name.startsWith("ld-linux") || name.startsWith("libstdc++.so");
  }
}
