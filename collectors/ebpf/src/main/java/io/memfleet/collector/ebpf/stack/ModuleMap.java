package io.memfleet.collector.ebpf.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The file-backed executable mappings of one process, read from {@code /proc/PID/maps}, so an
 * unsymbolised absolute address can be written as {@code module+0xoffset} (an offset that means
 * the same thing on every host running the same binary) and so the collector can find the
 * process's libc for uprobes.
 *
 * <pre>{@code
 * ModuleMap maps = ModuleMap.read(pid);
 * Optional<Path> libc = maps.libc();
 * String frame = maps.describe(0x7f52d3fda9b3L);   // "libc.so.6+0xe29b3"
 * }</pre>
 *
 * <p>It also keeps where the kernel put the process's page of uprobe trampolines
 * ({@code [uprobes]}), to tell a return address a pending return probe replaced
 * ({@link #isUprobeTrampoline}).
 *
 * <p>Immutable; a snapshot. Libraries loaded later are not in it: refresh by reading again.
 */
public final class ModuleMap {
  /**
   * One mapping line: [start, end) mapped from {@code path} at file {@code offset}; {@code device}
   * and {@code inode} tell two files of one path apart (one per container image).
   */
  public record Mapping(long start, long end, long offset, String perms, String path,
      String device, long inode) {
    boolean contains(long address) {
      return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
    }
  }

  private static final java.util.regex.Pattern BLANKS = java.util.regex.Pattern.compile("\\s+");

  /** The name the kernel gives the page of uprobe trampolines in a maps file. */
  static final String UPROBES = "[uprobes]";

  private final List<Mapping> mappings;
  /** {@code [start, end)} of the {@code [uprobes]} page, or {@code null}. */
  private final long[] uprobes;

  private ModuleMap(List<Mapping> mappings, long[] uprobes) {
    this.mappings = List.copyOf(mappings);
    this.uprobes = uprobes;
  }

  /** An empty map: every address is described as absolute. */
  public static ModuleMap empty() {
    return new ModuleMap(List.of(), null);
  }

  /** Reads {@code /proc/PID/maps}. */
  public static ModuleMap read(int pid) throws IOException {
    return read(Path.of("/proc"), pid);
  }

  /** Reads {@code PROC_ROOT/PID/maps} (e.g. {@code /host/proc} in a container). */
  public static ModuleMap read(Path procRoot, int pid) throws IOException {
    return parse(Files.readAllLines(procRoot.resolve(Integer.toString(pid)).resolve("maps")));
  }

  /** Reads the maps of {@code pid}, or returns an empty map when the process is gone. */
  public static ModuleMap readOrEmpty(int pid) {
    return readOrEmpty(Path.of("/proc"), pid);
  }

  /** Reads {@code PROC_ROOT/PID/maps}, or returns an empty map when the process is gone. */
  public static ModuleMap readOrEmpty(Path procRoot, int pid) {
    try {
      return read(procRoot, pid);
    } catch (IOException | RuntimeException e) {
      return empty();
    }
  }

  /** Parses the text of a maps file; lines that are not mappings are skipped. */
  public static ModuleMap parse(List<String> lines) {
    List<Mapping> out = new ArrayList<>();
    long[] uprobes = null;
    for (String line : lines) {
      // 55db66444000-55db66445000 r-xp 00001000 fe:01 1234   /tmp/leaky
      String[] parts = BLANKS.split(line.trim(), 6);
      boolean trampolines = parts.length == 6 && parts[5].trim().equals(UPROBES);
      if (parts.length < 6 || !(parts[5].startsWith("/") || trampolines)) {
        continue;
      }
      int dash = parts[0].indexOf('-');
      if (dash < 0) {
        continue;
      }
      try {
        long start = Long.parseUnsignedLong(parts[0].substring(0, dash), 16);
        long end = Long.parseUnsignedLong(parts[0].substring(dash + 1), 16);
        if (trampolines) {
          uprobes = new long[] {start, end};
          continue;
        }
        long offset = Long.parseUnsignedLong(parts[2], 16);
        out.add(new Mapping(start, end, offset, parts[1], parts[5].trim(), parts[3],
            Long.parseLong(parts[4])));
      } catch (NumberFormatException e) {
        // not a mapping line
      }
    }
    out.sort((a, b) -> Long.compareUnsigned(a.start(), b.start()));
    return new ModuleMap(out, uprobes);
  }

  /**
   * Whether the process had its page of uprobe trampolines when read: the kernel maps it at the
   * first uprobe hit, and a pending return probe's trampoline address is in it.
   */
  public boolean hasUprobeTrampolines() {
    return uprobes != null;
  }

  /**
   * Whether {@code address} is in the uprobe trampoline page: a stack word there is a return
   * address a pending return probe replaced (the kernel keeps the original).
   */
  public boolean isUprobeTrampoline(long address) {
    return uprobes != null && Long.compareUnsigned(address, uprobes[0]) >= 0
        && Long.compareUnsigned(address, uprobes[1]) < 0;
  }

  public List<Mapping> mappings() {
    return mappings;
  }

  /** The mapping that holds {@code address}, if any (maps files list mappings in order). */
  public Optional<Mapping> find(long address) {
    int lo = 0;
    int hi = mappings.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      Mapping m = mappings.get(mid);
      if (Long.compareUnsigned(address, m.start()) < 0) {
        hi = mid - 1;
      } else if (Long.compareUnsigned(address, m.end()) >= 0) {
        lo = mid + 1;
      } else {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /**
   * {@code module+0xoffset} with the offset into the module file, or {@code [unknown]+0xaddress}
   * (absolute) when no file mapping holds the address.
   */
  public String describe(long address) {
    Optional<Mapping> m = find(address);
    if (m.isEmpty()) {
      return "[unknown]+0x" + Long.toHexString(address);
    }
    Mapping mapping = m.get();
    String name = mapping.path().substring(mapping.path().lastIndexOf('/') + 1);
    return name + "+0x" + Long.toHexString(address - mapping.start() + mapping.offset());
  }

  /**
   * The file whose {@code malloc}/{@code free} the process calls: its shared C library, else its
   * executable when that defines both (a static binary, or an allocator linked in). Probes on a
   * shared libc trap in every process that maps it; probes on the executable only in copies of
   * that program.
   */
  public static Optional<Path> allocatorImage(int pid) {
    Optional<Path> libc = readOrEmpty(pid).libc();
    if (libc.isPresent()) {
      return libc;
    }
    try {
      Path exe = Path.of("/proc", String.valueOf(pid), "exe").toRealPath();
      ElfImage image = ElfImage.read(exe);
      return image.definesFunction("malloc") && image.definesFunction("free")
          ? Optional.of(exe) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // gone, not readable, or not ELF: no allocator to probe
    }
  }

  /** Path of the C library mapped into the process ({@code libc.so.6} or {@code libc-*.so}). */
  public Optional<Path> libc() {
    for (Mapping m : mappings) {
      String name = m.path().substring(m.path().lastIndexOf('/') + 1);
      if (name.equals("libc.so.6") || name.matches("libc-[0-9.]+\\.so")) {
        return Optional.of(Path.of(m.path()));
      }
    }
    return Optional.empty();
  }
}
