package io.memfleet.pipeline.detect.rules;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The frame of a stack that an on-call person should look at: the innermost one that belongs to
 * the program, not to the allocator, the C library, the Go runtime or the JDK — the way a
 * profiler's "first application frame" works.
 *
 * <pre>{@code
 * Culprits.frame(List.of("__memset_avx2", "malloc", "leak_request_buffer", "main"));
 * // "leak_request_buffer"
 * }</pre>
 */
public final class Culprits {
  /** Frames that allocate, map or copy on the program's behalf (Go's syscall wrappers too). */
  private static final Pattern MACHINERY = Pattern.compile(
      "^(?:__.*|_int_.*|_dl_.*|(?:malloc|calloc|realloc|free|sysmalloc|tcache|arena"
          + "|mmap(?:64)?|munmap|brk|sbrk|mem(?:set|cpy|move|cmp)|str(?:dup|ndup)|operator new)\\b.*"
          // C++ operator new, new[] and delete as the symbol table has them (_Znwm, _ZdlPv),
          // and the standard library's containers and strings (std::vector<…>::_M_realloc_insert)
          + "|_Z[nd][wal].*|_ZN?K?St.*|_ZN9__gnu_cxx.*"
          + "|runtime[./].*|internal/.*|syscall\\..*|golang\\.org/x/sys/.*|reflect\\..*|sync\\..*"
          // cgo's generated wrappers (_cgo_<hash>_Cfunc_f calls the program's C function f)
          + "|_cgo_.*|x_cgo_.*|crosscall.*"
          // Go's standard library building what the program asked for (strings.Repeat,
          // encoding/json's decoder): no line suffix, so never a Java frame ("pkg.Cls.m:12")
          + "|(?:strings|bytes|strconv|fmt|bufio|sort|slices|maps|unicode(?:/\\w+)?"
          + "|encoding/\\w+|compress/\\w+|container/\\w+|math/big|regexp(?:/syntax)?)\\.[^:]*"
          + "|java\\..*|javax\\..*|jdk\\..*|sun\\..*|\\[unknown\\].*"
          + "|.*\\.so(?:\\.[0-9]+)*\\+0x[0-9a-f]+)$");

  private Culprits() {}

  /** An allocator the program calls: where a stack cut short of its caller ends. */
  private static final Pattern ALLOCATOR_ENTRY = Pattern.compile(
      "^(?:(?:_{0,2}|__libc_)(?:malloc|calloc|realloc|reallocarray|strdup|strndup|posix_memalign"
          + "|aligned_alloc|memalign|valloc|pvalloc|mmap(?:64)?)|_Zn[wa].*|operator new.*)$");

  /**
   * The innermost program frame, or when every one is machinery the innermost frame (the
   * allocator's entry where the stack ends there, {@link #callerLost}), for people to read: a
   * C++ name demangled ({@code _Znwm} is {@code operator new(unsigned long)}).
   */
  public static String frame(List<String> frames) {
    String f = ownFrame(frames);
    return demangle(f != null ? f : frames.isEmpty() ? null : frames.get(0));
  }

  /**
   * The frame a stack is the program's by: its innermost program frame, or the allocator's entry
   * where the stack ends there ({@link #callerLost}: that entry is what the program called), or
   * cgo's {@code C.malloc} ({@link #cgoAllocation}); null when the stack ends inside the
   * allocator's own workings, which name nobody.
   */
  public static String ownFrame(List<String> frames) {
    String f = programFrame(frames);
    if (f != null) {
      return f;
    }
    if (callerLost(frames)) {
      return frames.get(frames.size() - 1);
    }
    return frames.stream().filter(Culprits::cgoMalloc).findFirst().orElse(null);
  }

  /** cgo's allocation for Go code: C.CString, C.CBytes and C.malloc all call it. */
  private static final Pattern CGO_MALLOC = Pattern.compile("^_cgo_[0-9a-f]+_Cfunc__C[mM]alloc$");

  /**
   * Whether the stack is memory a Go program took from C's heap through cgo ({@code C.CString},
   * {@code C.CBytes}, {@code C.malloc}) with no program frame beside it: the Go code that called
   * it runs on the goroutine's stack, which an unwinder starting in C on the system stack does not
   * reach (seen: {@code sysmalloc <- _cgo_69d6d21e8f1e_Cfunc__Cmalloc <- runtime.systemstack}
   * for a forwarder that never called {@code C.free} on its {@code C.CString} copies).
   */
  public static boolean cgoAllocation(List<String> frames) {
    return programFrame(frames) == null && frames.stream().anyMatch(Culprits::cgoMalloc);
  }

  /** Whether {@code frame} is cgo's allocation for Go code ({@link #cgoAllocation}). */
  static boolean cgoMalloc(String frame) {
    return CGO_MALLOC.matcher(frame).matches();
  }

  /**
   * Whether the stack ends in an allocator the program called, with none of the program's own
   * frames outside it: the unwinder lost the caller. eBPF walks stacks by frame pointer, and a
   * program built without them ({@code gcc -O2}, the default) shows {@code _Znwm} or
   * {@code __strdup} and nothing beyond; its code is named only once it is built with
   * {@code -fno-omit-frame-pointer}.
   */
  public static boolean callerLost(List<String> frames) {
    return !frames.isEmpty() && programFrame(frames.subList(0, frames.size() - 1)) == null
        && ALLOCATOR_ENTRY.matcher(frames.get(frames.size() - 1)).matches();
  }

  /** A frame the unwinder could not name: an address without a symbol. */
  private static final Pattern NAMELESS = Pattern.compile(
      "^(?:\\[unknown\\].*|.*\\+0x[0-9a-f]+|0x[0-9a-f]+)$");

  /**
   * Whether no frame of the stack has a name (every one {@code [unknown]} or a bare address):
   * such a stack says where nothing is, and a verdict should say so rather than name
   * {@code [unknown]} as the code.
   */
  public static boolean nameless(List<String> frames) {
    return frames.stream().allMatch(f -> NAMELESS.matcher(f).matches());
  }

  /**
   * A mangled C++ name (Itanium ABI) as its qualified name, {@code _ZN10CodeBuffer16copy_toEv}
   * as {@code CodeBuffer::copy_to}; the parameters are left out, a template's arguments shown as
   * {@code <…>}. Anything else is returned as it is, and so is a name this cannot read.
   */
  static String demangle(String name) {
    if (name != null && cgoMalloc(name)) {
      return "C.malloc (cgo)";
    }
    if (name == null || !name.startsWith("_Z")) {
      return name;
    }
    if (name.startsWith("_Znw")) {
      return name.equals("_Znwm") ? "operator new(unsigned long)" : "operator new";
    }
    if (name.startsWith("_Zna")) {
      return name.equals("_Znam") ? "operator new[](unsigned long)" : "operator new[]";
    }
    int i = 2;
    boolean nested = i < name.length() && name.charAt(i) == 'N';
    if (nested) {
      i++;
      while (i < name.length() && "rVK".indexOf(name.charAt(i)) >= 0) {
        i++; // qualifiers of a member function
      }
    }
    StringBuilder out = new StringBuilder();
    String last = null;
    while (i < name.length()) {
      char c = name.charAt(i);
      String part;
      if (name.startsWith("St", i)) {
        part = "std";
        i += 2;
      } else if (Character.isDigit(c)) {
        int j = i;
        while (j < name.length() && Character.isDigit(name.charAt(j))) {
          j++;
        }
        int len = Integer.parseInt(name.substring(i, Math.min(j, i + 6)));
        if (j + len > name.length()) {
          return name;
        }
        part = name.substring(j, j + len);
        i = j + len;
      } else if (nested && (c == 'C' || c == 'D') && last != null) {
        part = (c == 'D' ? "~" : "") + last; // constructor, destructor
        i += 2;
      } else if (c == 'I') {
        out.append("<…>");
        break;
      } else {
        break;
      }
      if (out.length() > 0) {
        out.append("::");
      }
      out.append(part);
      last = part;
      if (!nested && !"std".equals(part)) {
        break; // a plain name has one part; _ZSt4cout is std::cout
      }
    }
    return out.length() == 0 ? name : out.toString();
  }

  /** Whether {@code frame} allocates, maps or copies on the program's behalf. */
  static boolean machinery(String frame) {
    return MACHINERY.matcher(frame).matches();
  }

  /** The innermost program frame, or null when every frame is machinery. */
  public static String programFrame(List<String> frames) {
    for (String f : frames) {
      if (!MACHINERY.matcher(f).matches()) {
        return f;
      }
    }
    return null;
  }
}
