package io.memfleet.collector.ebpf.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.ebpf.Golden;
import io.memfleet.collector.ebpf.bpftrace.BpftraceLineParser;
import io.memfleet.collector.ebpf.bpftrace.BpftraceOutput;
import io.memfleet.collector.ebpf.bpftrace.ProbeEvent;
import io.memfleet.collector.ebpf.bpftrace.ProbeEventParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Stack recovery on real faults-script output: the leaky demo (200-byte blocks) faults inside
 * glibc's _int_malloc, where the frame-pointer walk yields that one frame; the words above the
 * stack pointer give back leak_blocks, run_loop and main. The resolver here stands in for the
 * ELF reading with the demo's captured maps and nm listing (golden/README.md).
 */
class StackScanTest {
  private static final String LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  private static final String LEAKY = "/tmp/cap/leaky";

  /** Return addresses: any word in an executable mapping; symbols of the demo from nm. */
  private static final class CapturedResolver implements StackScan.Resolver {
    private final ModuleMap maps;
    private final TreeMap<Long, String> symbols = new TreeMap<>();

    CapturedResolver(List<String> mapsLines, List<String> nmLines) {
      maps = ModuleMap.parse(mapsLines);
      for (String line : nmLines) {
        String[] f = line.trim().split("\\s+");
        symbols.put(Long.parseLong(f[0], 16), f[2]);
      }
    }

    @Override
    public Optional<String> moduleOf(long address) {
      return maps.find(address).map(ModuleMap.Mapping::path);
    }

    @Override
    public Optional<Frame> returnFrame(long word) {
      return maps.find(word).filter(m -> m.perms().contains("x")).map(m -> {
        long offset = word - m.start() + m.offset();
        String symbol = m.path().equals(LEAKY) ? symbols.floorEntry(offset - 1).getValue()
            : null;
        return new Frame(word, symbol, m.path());
      });
    }
  }

  private static List<String> symbols(List<Frame> frames) {
    return frames.stream().map(f -> f.symbol() == null ? "?" : f.symbol()).toList();
  }

  private static long[] words(ProbeEvent e) {
    String[] parts = e.field("words").split(",");
    long[] out = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Long.parseUnsignedLong(parts[i], 16);
    }
    return out;
  }

  @Test
  void recoversTheLeakingCallerFromFaultsInsideMalloc() throws Exception {
    CapturedResolver resolver = new CapturedResolver(Golden.lines("faults-words-leaky.maps"),
        Golden.lines("faults-words-leaky.nm"));
    BpftraceLineParser lines = new BpftraceLineParser();
    ProbeEventParser parser = new ProbeEventParser();
    List<List<String>> recovered = new ArrayList<>();
    for (String line : Golden.lines("bpftrace-faults-words-leaky.jsonl")) {
      if (lines.parse(line) instanceof BpftraceOutput.Printf p) {
        ProbeEvent e = parser.parse(p.text());
        assertThat(e.field("words").split(",")).hasSize(48);
        if (symbols(e.stack()).equals(List.of("_int_malloc"))) {
          recovered.add(symbols(StackScan.recover(e.stack(),
              Long.parseUnsignedLong(e.field("sp"), 16), words(e), resolver)));
        }
      }
    }
    assertThat(recovered).hasSizeGreaterThan(20);
    // the walk stopped in libc; the scan finds the call from leak_blocks and the frame
    // records of run_loop and main, then libc's start code (no symbol without libc's ELF)
    assertThat(recovered).allSatisfy(s -> assertThat(s).startsWith("_int_malloc",
        "leak_blocks", "run_loop", "main"));
  }

  @Test
  void insertsTheCallerALeafInTheLibrarySkipped() {
    // memset (no frame of its own) faulted; the walk went on from the caller's caller
    StackScan.Resolver resolver = fixed();
    List<Frame> walked = List.of(new Frame(0x7000_0010L, "memset", LIBC),
        new Frame(0x5000_0200L, "run_loop", LEAKY), new Frame(0x5000_0300L, "main", LEAKY));
    long[] words = {0x5000_0110L, 0x7ffc_0000_0100L};
    assertThat(symbols(StackScan.recover(walked, 0x7ffc_0000_0000L, words, resolver)))
        .containsExactly("memset", "leak_blocks", "run_loop", "main");
    // nothing lost: the first return address is the frame the walk already has
    long[] same = {0x5000_0200L};
    assertThat(StackScan.recover(walked, 0x7ffc_0000_0000L, same, resolver)).isSameAs(walked);
  }

  @Test
  void recognisesTheCLibraryByNameInAStaticallyLinkedProgram() {
    // libc linked into the program (the corpus's C programs): the same module throughout, the
    // library told by its functions' names; at 0x5000_0400.. the program's copy of libc
    StackScan.Resolver resolver = fixed();
    List<Frame> walked = List.of(new Frame(0x5000_0410L, "__memset_avx2_unaligned_erms", LEAKY),
        new Frame(0x5000_0300L, "main", LEAKY));
    long[] words = {0x5000_0210L, 0x7ffc_0000_0100L};
    assertThat(symbols(StackScan.recover(walked, 0x7ffc_0000_0000L, words, resolver)))
        .containsExactly("__memset_avx2_unaligned_erms", "run_loop", "main");
    // a fault writing a chunk header: the walk yields malloc's internals alone
    List<Frame> header = List.of(new Frame(0x5000_0420L, "_int_malloc", LEAKY));
    long[] frames = {0x5000_0110L, 0x7ffc_0000_0010L, 0x5000_0210L};
    assertThat(symbols(StackScan.recover(header, 0x7ffc_0000_0000L, frames, resolver)))
        .startsWith("_int_malloc", "leak_blocks");
    // a program function whose name only begins like one of the library's stays the program's
    assertThat(StackScan.isCLibrary(new Frame(0x5000_0110L, "free_list_push", LEAKY), resolver))
        .isFalse();
    assertThat(StackScan.isCLibrary(new Frame(0x5000_0110L, "sysmalloc", LEAKY), resolver))
        .isTrue();
  }

  @Test
  void namesUnnamedWalkedFramesFromTheFileToTellTheCLibrary() {
    // host-wide, bpftrace prints the walked frames without names: the resolver names them
    StackScan.Resolver fixed = fixed();
    StackScan.Resolver named = new FixedBut() {
      @Override
      public Optional<String> symbolAt(long a) {
        return a == 0x5000_0430L ? Optional.of("__mmap") : a == 0x5000_0300L
            ? Optional.of("main") : Optional.empty();
      }
    };
    // as bpftrace prints them: no name, or the address for a name
    List<Frame> walked = List.of(new Frame(0x5000_0430L, "0x50000430", LEAKY),
        new Frame(0x5000_0300L, null, LEAKY));
    long[] words = {0x5000_0110L};
    assertThat(StackScan.recover(walked, 0x7ffc_0000_0000L, words, named))
        .extracting(Frame::address).containsExactly(0x5000_0430L, 0x5000_0110L, 0x5000_0300L);
    assertThat(StackScan.recover(walked, 0x7ffc_0000_0000L, words, fixed)).isSameAs(walked);
  }

  @Test
  void putsBackTheReturnAddressAPendingReturnProbeReplaced() {
    // malloc is probed (malloc escalation): the kernel replaced the return into leak_blocks with
    // its trampoline, so the first return address left on the stack is run_loop's
    ModuleMap maps = ModuleMap.parse(List.of(
        "50000000-50001000 r-xp 00000000 fe:01 7 " + LEAKY,
        "7fffffffe000-7ffffffff000 --xp 00000000 00:00 0                          [uprobes]"));
    assertThat(maps.hasUprobeTrampolines()).isTrue();
    assertThat(maps.isUprobeTrampoline(0x7fff_ffff_e000L)).isTrue();
    assertThat(maps.find(0x7fff_ffff_e000L)).isEmpty();
    assertThat(ModuleMap.parse(List.of("50000000-50001000 r-xp 00000000 fe:01 7 " + LEAKY))
        .hasUprobeTrampolines()).isFalse();
    StackScan.Resolver probed = new FixedBut() {
      @Override
      public boolean isProbeTrampoline(long w) {
        return maps.isUprobeTrampoline(w);
      }
    };
    List<Frame> walked = List.of(new Frame(0x7000_0010L, "_int_malloc", LIBC));
    long[] words = {0x7000_0020L, 0x7fff_ffff_e000L, 0x7ffc_0000_0100L, 0x5000_0210L};
    assertThat(symbols(StackScan.recover(walked, 0x7ffc_0000_0000L, words, probed)))
        .containsExactly("_int_malloc", "run_loop");
    assertThat(symbols(StackScan.recover(walked, 0x7ffc_0000_0000L, words, 0x5000_0110L,
        probed))).containsExactly("_int_malloc", "leak_blocks");
    assertThat(words[1]).isEqualTo(0x7fff_ffff_e000L);
  }

  @Test
  void leavesStacksAloneOutsideTheLibraryOrWithoutACandidate() {
    StackScan.Resolver resolver = fixed();
    List<Frame> own = List.of(new Frame(0x5000_0110L, "leak_blocks", LEAKY));
    long[] words = {0x5000_0200L};
    assertThat(StackScan.recover(own, 0x7ffc_0000_0000L, words, resolver)).isSameAs(own);
    List<Frame> libc = List.of(new Frame(0x7000_0010L, "_int_malloc", LIBC));
    long[] noCode = {0, 42, 0x7ffc_0000_0100L};
    assertThat(StackScan.recover(libc, 0x7ffc_0000_0000L, noCode, resolver)).isSameAs(libc);
    assertThat(StackScan.recover(List.of(), 0, words, resolver)).isEmpty();
  }

  @Test
  void knowsWhichLibrariesHaveNoFramePointers() {
    assertThat(StackScan.isFramePointerLess(LIBC)).isTrue();
    assertThat(StackScan.isFramePointerLess("/lib64/ld-linux-x86-64.so.2")).isTrue();
    assertThat(StackScan.isFramePointerLess("/lib/libc-2.31.so")).isTrue();
    assertThat(StackScan.isFramePointerLess("/usr/lib/libcrypto.so.3")).isFalse();
    // a C++ program's allocations enter malloc through libstdc++'s operator new (seen: a fault
    // stack "_int_malloc <- _Znwm" and nothing of the program, which the scan then passed by)
    assertThat(StackScan.isFramePointerLess("/usr/lib/x86_64-linux-gnu/libstdc++.so.6"))
        .isTrue();
    assertThat(StackScan.isFramePointerLess(null)).isFalse();
  }

  /** {@link #fixed()}, for a test to override one more answer. */
  private static class FixedBut implements StackScan.Resolver {
    private final StackScan.Resolver fixed = fixed();

    @Override
    public Optional<String> moduleOf(long a) {
      return fixed.moduleOf(a);
    }

    @Override
    public Optional<Frame> returnFrame(long w) {
      return fixed.returnFrame(w);
    }
  }

  /** Code at 0x5000_0000 (the demo: leak_blocks 0x100, run_loop 0x200, main 0x300) and libc at
   *  0x7000_0000; every word in them counts as a return address. */
  private static StackScan.Resolver fixed() {
    return new StackScan.Resolver() {
      @Override
      public Optional<String> moduleOf(long a) {
        return a >= 0x7000_0000L && a < 0x7100_0000L ? Optional.of(LIBC)
            : a >= 0x5000_0000L && a < 0x5000_1000L ? Optional.of(LEAKY) : Optional.empty();
      }

      @Override
      public Optional<Frame> returnFrame(long w) {
        return moduleOf(w).map(m -> new Frame(w, m.equals(LEAKY)
            ? List.of("leak_blocks", "run_loop", "main").get((int) ((w - 0x5000_0100L) >> 8))
            : null, m));
      }
    };
  }
}
