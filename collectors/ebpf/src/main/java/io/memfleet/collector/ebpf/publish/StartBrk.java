package io.memfleet.collector.ebpf.publish;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Reads start_brk (field 47 of /proc/PID/stat), where the process's heap began. */
final class StartBrk {
  private StartBrk() {}

  static OptionalLong read(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
      String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
      // rest[0] is field 3; start_brk is field 47 (0 without ptrace access)
      long value = rest.length > 44 ? Long.parseUnsignedLong(rest[44]) : 0;
      return value > 0 ? OptionalLong.of(value) : OptionalLong.empty();
    } catch (Exception e) {
      return OptionalLong.empty();
    }
  }
}
