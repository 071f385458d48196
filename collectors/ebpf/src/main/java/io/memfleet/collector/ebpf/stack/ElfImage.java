package io.memfleet.collector.ebpf.stack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The parts of a 64-bit little-endian ELF file (an executable or shared library mapped into the
 * traced process) that stack recovery needs: its function symbols ({@code .symtab} and
 * {@code .dynsym}), its loadable segments (to turn a file offset into a symbol address) and its
 * code bytes (to check that a word found on the stack follows a call instruction).
 *
 * <pre>{@code
 * ElfImage libc = ElfImage.read(Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6"));
 * Optional<String> fn = libc.symbolAtOffset(0x9a0ca);     // "malloc"
 * boolean ret = libc.followsCall(0x9a0ca);
 * }</pre>
 *
 * <p>Immutable once read. The file is mapped, not copied onto the heap (page cache, shared with
 * the processes running it); only the symbol table is held on the heap. Distributions strip
 * {@code .symtab} from shared libraries and ship it in separate debug files: {@link
 * #readWithDebugSymbols} adds the symbols of {@code /usr/lib/debug/.build-id/xx/yyyy.debug}
 * when one is installed (Debian's {@code libc6-dbg}: {@code _int_malloc}, {@code sysmalloc}),
 * the same files bcc and perf use, so names agree with theirs.
 */
public final class ElfImage {
  private static final int SHT_SYMTAB = 2;
  private static final int SHT_NOTE = 7;
  private static final int SHT_DYNSYM = 11;
  private static final int PT_LOAD = 1;
  private static final int NT_GNU_BUILD_ID = 3;
  private static final int STT_FUNC = 2;
  private static final int STT_GNU_IFUNC = 10;

  private record Symbol(long value, long size, String name) {}

  private record Segment(long offset, long vaddr, long fileSize) {}

  private final ByteBuffer bytes;
  private final List<Segment> segments;
  private final Symbol[] symbols;
  private final String buildId;

  private ElfImage(ByteBuffer bytes, List<Segment> segments, Symbol[] symbols, String buildId) {
    this.bytes = bytes;
    this.segments = segments;
    this.symbols = symbols;
    this.buildId = buildId;
  }

  /** Reads and parses an ELF file; throws IOException for anything else. */
  public static ElfImage read(Path file) throws IOException {
    ByteBuffer b;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() > Integer.MAX_VALUE) {
        throw new IOException(file + " is too large for stack recovery");
      }
      b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
    }
    return parse(b.order(ByteOrder.LITTLE_ENDIAN), file.toString());
  }

  /**
   * Reads {@code file} and, when it has a GNU build id and a debug file for it exists under one
   * of {@code roots} ({@code ROOT/usr/lib/debug/.build-id/xx/yyyy.debug}; a container's root
   * first, then the host's), adds that file's symbols. A missing or unreadable debug file is no
   * error: the image then has the symbols of {@code file} alone.
   */
  public static ElfImage readWithDebugSymbols(Path file, List<Path> roots) throws IOException {
    ElfImage image = read(file);
    if (image.buildId == null || image.buildId.length() < 3) {
      return image;
    }
    for (Path root : roots) {
      Path debug = root.resolve("usr/lib/debug/.build-id").resolve(image.buildId.substring(0, 2))
          .resolve(image.buildId.substring(2) + ".debug");
      if (Files.isReadable(debug)) {
        try {
          return image.withSymbolsOf(read(debug));
        } catch (IOException e) {
          // a broken debug file: keep the image's own symbols
        }
      }
    }
    return image;
  }

  /** This image with the function symbols of {@code other} (its debug file) added. */
  ElfImage withSymbolsOf(ElfImage other) {
    if (other.symbols.length == 0) {
      return this;
    }
    List<Symbol> all = new ArrayList<>(Arrays.asList(symbols));
    all.addAll(Arrays.asList(other.symbols));
    return new ElfImage(bytes, segments, sorted(all), buildId);
  }

  /** The GNU build id in hex ({@code .note.gnu.build-id}), or null when the file has none. */
  public String buildId() {
    return buildId;
  }

  static ElfImage parse(ByteBuffer b, String name) throws IOException {
    try {
      if (b.limit() < 64 || b.getInt(0) != 0x464c457f || b.get(4) != 2 || b.get(5) != 1) {
        throw new IOException(name + " is not a 64-bit little-endian ELF file");
      }
      List<Segment> segments = new ArrayList<>();
      long phoff = b.getLong(0x20);
      int phentsize = Short.toUnsignedInt(b.getShort(0x36));
      int phnum = Short.toUnsignedInt(b.getShort(0x38));
      for (int i = 0; i < phnum; i++) {
        int p = Math.toIntExact(phoff + (long) i * phentsize);
        if (b.getInt(p) == PT_LOAD) {
          segments.add(new Segment(b.getLong(p + 8), b.getLong(p + 0x10), b.getLong(p + 0x20)));
        }
      }
      List<Symbol> symbols = new ArrayList<>();
      long shoff = b.getLong(0x28);
      int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
      int shnum = Short.toUnsignedInt(b.getShort(0x3c));
      for (int i = 0; i < shnum && shoff > 0; i++) {
        int s = Math.toIntExact(shoff + (long) i * shentsize);
        int type = b.getInt(s + 4);
        if (type != SHT_SYMTAB && type != SHT_DYNSYM) {
          continue;
        }
        long offset = b.getLong(s + 0x18);
        long size = b.getLong(s + 0x20);
        int strSection = Math.toIntExact(shoff + (long) b.getInt(s + 0x28) * shentsize);
        long strOffset = b.getLong(strSection + 0x18);
        for (long at = offset; at + 24 <= offset + size; at += 24) {
          int e = Math.toIntExact(at);
          int kind = b.get(e + 4) & 0xf;
          long value = b.getLong(e + 8);
          if ((kind == STT_FUNC || kind == STT_GNU_IFUNC) && value != 0) {
            symbols.add(new Symbol(value, b.getLong(e + 0x10),
                cString(b, Math.toIntExact(strOffset + Integer.toUnsignedLong(b.getInt(e))))));
          }
        }
      }
      return new ElfImage(b, List.copyOf(segments), sorted(symbols),
          buildId(b, shoff, shentsize, shnum));
    } catch (IndexOutOfBoundsException | ArithmeticException e) {
      throw new IOException(name + " is a truncated or malformed ELF file", e);
    }
  }

  private static Symbol[] sorted(List<Symbol> symbols) {
    return symbols.stream().sorted(Comparator.comparingLong(Symbol::value)
        .thenComparing(s -> s.name().startsWith("_") ? 1 : 0)).toArray(Symbol[]::new);
  }

  /** The NT_GNU_BUILD_ID note of the note sections, as hex; null when there is none. */
  private static String buildId(ByteBuffer b, long shoff, int shentsize, int shnum) {
    for (int i = 0; i < shnum && shoff > 0; i++) {
      int s = Math.toIntExact(shoff + (long) i * shentsize);
      if (b.getInt(s + 4) != SHT_NOTE) {
        continue;
      }
      long at = b.getLong(s + 0x18);
      long end = at + b.getLong(s + 0x20);
      while (at + 12 <= end) {
        int p = Math.toIntExact(at);
        int nameSize = b.getInt(p);
        int descSize = b.getInt(p + 4);
        int type = b.getInt(p + 8);
        int name = p + 12;
        int desc = name + align4(nameSize);
        if (type == NT_GNU_BUILD_ID && nameSize == 4 && b.get(name) == 'G' && descSize > 0
            && desc + descSize <= end) {
          byte[] id = new byte[descSize];
          b.get(desc, id);
          return HexFormat.of().formatHex(id);
        }
        at = desc + (long) align4(descSize);
      }
    }
    return null;
  }

  private static int align4(int n) {
    return (n + 3) & ~3;
  }

  private static String cString(ByteBuffer b, int at) {
    int end = at;
    while (end < b.limit() && b.get(end) != 0) {
      end++;
    }
    byte[] name = new byte[end - at];
    b.get(at, name);
    return new String(name, StandardCharsets.UTF_8);
  }

  /** Whether a function symbol of exactly this name is defined here (e.g. a static malloc). */
  public boolean definesFunction(String name) {
    for (Symbol symbol : symbols) {
      if (symbol.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Number of function symbols found (0 for a fully stripped file). */
  public int symbolCount() {
    return symbols.length;
  }

  /**
   * The function holding the code at {@code fileOffset}, by the symbol tables; empty when no
   * function symbol covers it. Among aliases, names without a leading underscore win.
   */
  public Optional<String> symbolAtOffset(long fileOffset) {
    Optional<Long> vaddr = vaddrOf(fileOffset);
    if (vaddr.isEmpty() || symbols.length == 0) {
      return Optional.empty();
    }
    long a = vaddr.get();
    int lo = 0;
    int hi = symbols.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(symbols[mid].value(), a) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    // walk back over aliases at the same address to the preferred name
    while (found > 0 && symbols[found - 1].value() == symbols[found].value()) {
      found--;
    }
    if (found < 0) {
      return Optional.empty();
    }
    Symbol s = symbols[found];
    return a - s.value() < Math.max(1, s.size()) ? Optional.of(s.name()) : Optional.empty();
  }

  private Optional<Long> vaddrOf(long fileOffset) {
    for (Segment s : segments) {
      if (fileOffset >= s.offset() && fileOffset < s.offset() + s.fileSize()) {
        return Optional.of(fileOffset - s.offset() + s.vaddr());
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the bytes right before {@code fileOffset} end with an x86-64 call instruction
   * (direct {@code E8 rel32}, or indirect {@code FF /2} through a register or memory, with or
   * without a REX prefix), i.e. whether a word equal to this address found on the stack can be
   * a return address rather than a stray pointer into code.
   */
  public boolean followsCall(long fileOffset) {
    if (fileOffset < 7 || fileOffset > bytes.limit()) {
      return false;
    }
    byte[] before = new byte[7];
    bytes.get((int) fileOffset - 7, before);
    return endsWithCall(before);
  }

  /** The instruction check of {@link #followsCall} on the 7 bytes before an address. */
  static boolean endsWithCall(byte[] before) {
    int n = before.length;
    if (n >= 5 && (before[n - 5] & 0xff) == 0xe8) {
      return true;
    }
    // FF /2 with a ModRM byte whose length matches the bytes left: 2 (reg or [reg]),
    // 3 ([reg+disp8] or SIB), 4 (SIB+disp8), 6 ([rip+disp32] / [reg+disp32]), 7 (SIB+disp32)
    for (int len : new int[] {2, 3, 4, 6, 7}) {
      if (n < len) {
        continue;
      }
      int op = before[n - len] & 0xff;
      int modrm = before[n - len + 1] & 0xff;
      if (op == 0xff && ((modrm >> 3) & 7) == 2 && modrmLength(modrm) == len - 1) {
        return true;
      }
    }
    return false;
  }

  /** Bytes taken by a ModRM byte and what follows it (SIB, displacement) in 64-bit mode. */
  private static int modrmLength(int modrm) {
    int mod = modrm >> 6;
    int rm = modrm & 7;
    if (mod == 3) {
      return 1;
    }
    int sib = rm == 4 ? 1 : 0;
    int disp = switch (mod) {
      case 0 -> rm == 5 ? 4 : 0; // [rip+disp32]; (SIB with base 5 is rare and ignored)
      case 1 -> 1;
      default -> 4;
    };
    return 1 + sib + disp;
  }

  @Override
  public String toString() {
    return "ElfImage[" + segments.size() + " segments, " + symbols.length + " functions; "
        + Arrays.toString(segments.toArray()) + "]";
  }
}
