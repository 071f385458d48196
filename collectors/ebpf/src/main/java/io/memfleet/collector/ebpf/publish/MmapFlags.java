package io.memfleet.collector.ebpf.publish;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Renders Linux x86-64 mmap protection and flag bits the way the man page names them. */
final class MmapFlags {
  private static final String[] PROT = {"PROT_READ", "PROT_WRITE", "PROT_EXEC"};
  private static final long[] FLAG_BITS = {0x01, 0x02, 0x03, 0x10, 0x20, 0x100, 0x800, 0x1000,
      0x2000, 0x4000, 0x8000, 0x10000, 0x20000, 0x40000, 0x80000, 0x100000};
  private static final String[] FLAG_NAMES = {"MAP_SHARED", "MAP_PRIVATE",
      "MAP_SHARED_VALIDATE", "MAP_FIXED", "MAP_ANONYMOUS", "MAP_GROWSDOWN", "MAP_DENYWRITE",
      "MAP_EXECUTABLE", "MAP_LOCKED", "MAP_NORESERVE", "MAP_POPULATE", "MAP_NONBLOCK",
      "MAP_STACK", "MAP_HUGETLB", "MAP_SYNC", "MAP_FIXED_NOREPLACE"};

  private MmapFlags() {}

  static String protection(long prot) {
    if (prot == 0) {
      return "PROT_NONE";
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < PROT.length; i++) {
      if ((prot & (1L << i)) != 0) {
        names.add(PROT[i]);
      }
    }
    long rest = prot & ~0x7L;
    if (rest != 0) {
      names.add("0x" + Long.toHexString(rest));
    }
    return String.join("|", names);
  }

  static String flags(long flags) {
    List<String> names = new ArrayList<>();
    long type = flags & 0x03;
    long seen = 0x03;
    if (type != 0) {
      names.add(type == 1 ? "MAP_SHARED" : type == 2 ? "MAP_PRIVATE" : "MAP_SHARED_VALIDATE");
    }
    for (int i = 3; i < FLAG_BITS.length; i++) {
      if ((flags & FLAG_BITS[i]) != 0) {
        names.add(FLAG_NAMES[i]);
        seen |= FLAG_BITS[i];
      }
    }
    long rest = flags & ~seen;
    if (rest != 0) {
      names.add("0x" + Long.toHexString(rest));
    }
    return names.isEmpty() ? "0" : String.join("|", names);
  }

  /**
   * The file behind {@code fd} of the process whose procfs directory is {@code processDir}
   * ({@code /proc/PID}) right now, best effort (the fd may be closed already).
   */
  static String fdPath(Path processDir, int fd) {
    try {
      return Files.readSymbolicLink(processDir.resolve("fd").resolve(Integer.toString(fd)))
          .toString();
    } catch (Exception e) {
      return null;
    }
  }
}
