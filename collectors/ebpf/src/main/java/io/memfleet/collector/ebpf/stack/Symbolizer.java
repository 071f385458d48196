package io.memfleet.collector.ebpf.stack;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Names the frames a tracer printed as bare addresses, from the ELF symbols of the file each
 * address is mapped from in that process ({@link ModuleMap}, {@link ElfImages}).
 *
 * <p>Why not let bpftrace do it: bpftrace 0.17 caches symbol tables per executable path, so with
 * address-space randomisation a second process of the same program, or the same process after it
 * loaded another library, gets names looked up at another process's addresses (measured here: a
 * {@code cat} whose later stacks all came out as {@code [unknown]}); without the cache it re-reads
 * the symbol tables for every stack (~0.2 s each). Host-wide, where many processes run the same
 * programs, the collector therefore runs bpftrace with {@code BPFTRACE_NO_USER_SYMBOLS=1} and
 * names frames itself, per process.
 *
 * <p>A frame that already has a name keeps it (golden files and perf carry names). The innermost
 * frame is looked up at its address; the others are return addresses, looked up one byte back so
 * a call that ends a function is named after that function, not the next one. A frame in no file
 * mapping (JIT-compiled code, anonymous memory) becomes {@code [unknown]}, without its address, so
 * such stacks still group together.
 *
 * <pre>{@code
 * List<Frame> named = new Symbolizer(images).symbolize(frames, modules,
 *     Path.of("/proc/4242/root"));
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class Symbolizer {
  /** The name of a frame outside every file mapping. */
  public static final String UNKNOWN = "[unknown]";

  private final ElfImages images;

  public Symbolizer(ElfImages images) {
    this.images = images;
  }

  /** The frames with every unnamed one named (or marked unknown); the list itself if none. */
  public List<Frame> symbolize(List<Frame> frames, ModuleMap modules, Path processRoot) {
    List<Frame> out = null;
    for (int i = 0; i < frames.size(); i++) {
      Frame f = frames.get(i);
      if (!unnamed(f)) {
        if (out != null) {
          out.add(f);
        }
        continue;
      }
      if (out == null) {
        out = new ArrayList<>(frames.subList(0, i));
      }
      out.add(name(f, i == 0, modules, processRoot));
    }
    return out == null ? frames : out;
  }

  /** Whether the tracer printed no name: none at all, or the address itself (bpftrace). */
  public static boolean unnamed(Frame f) {
    String s = f.symbol();
    return s == null || (s.startsWith("0x") && s.length() > 2
        && s.substring(2).equalsIgnoreCase(Long.toHexString(f.address())));
  }

  private Frame name(Frame f, boolean innermost, ModuleMap modules, Path processRoot) {
    Optional<ModuleMap.Mapping> m = modules.find(f.address());
    if (m.isEmpty()) {
      return new Frame(f.address(), UNKNOWN, null);
    }
    ModuleMap.Mapping mapping = m.get();
    long offset = f.address() - mapping.start() + mapping.offset();
    String symbol = images.image(processRoot, mapping)
        .flatMap(image -> image.symbolAtOffset(innermost ? offset : offset - 1))
        .orElse(null);
    return new Frame(f.address(), symbol, mapping.path());
  }
}
