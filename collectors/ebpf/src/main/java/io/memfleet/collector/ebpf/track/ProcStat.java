package io.memfleet.collector.ebpf.track;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fields of {@code /proc/PID/stat} the host-wide collector decides with: the parent (to leave
 * out the collector's own children), the task flags (to leave out kernel threads), the start time
 * in clock ticks since boot (to notice a reused pid) and {@code start_brk} (where the heap began).
 *
 * @param pid process id
 * @param comm command name (up to 15 characters)
 * @param ppid parent process id
 * @param flags the kernel's task flags (field 9)
 * @param startTicks start time in clock ticks after boot (field 22)
 * @param startBrk start of the heap (field 47; 0 when not readable)
 */
public record ProcStat(int pid, String comm, int ppid, long flags, long startTicks,
    long startBrk) {
  private static final java.util.regex.Pattern SPACES = java.util.regex.Pattern.compile(" +");

  /** PF_KTHREAD: the task is a kernel thread (include/linux/sched.h). */
  public static final long PF_KTHREAD = 0x00200000L;

  /** Reads {@code PROC_ROOT/PID/stat}. */
  public static ProcStat read(Path procRoot, int pid) throws IOException {
    return parse(Files.readString(procRoot.resolve(Integer.toString(pid)).resolve("stat")));
  }

  /** Parses one stat line; comm (in parentheses) may hold spaces and parentheses. */
  public static ProcStat parse(String line) throws IOException {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open < 0 || close < open) {
      throw new IOException("malformed stat line: " + line.strip());
    }
    String[] rest = SPACES.split(line.substring(close + 1).strip());
    // rest[0] is field 3 (state)
    if (rest.length < 20) {
      throw new IOException("short stat line (" + rest.length + " fields after comm)");
    }
    try {
      return new ProcStat(Integer.parseInt(line.substring(0, open).strip()),
          line.substring(open + 1, close), Integer.parseInt(rest[1]),
          Long.parseUnsignedLong(rest[6]), Long.parseLong(rest[19]),
          rest.length > 44 ? Long.parseUnsignedLong(rest[44]) : 0);
    } catch (NumberFormatException e) {
      throw new IOException("malformed stat line: " + e.getMessage(), e);
    }
  }

  /** Whether this is a kernel thread (no user address space to trace). */
  public boolean kernelThread() {
    return (flags & PF_KTHREAD) != 0 || pid == 2 || ppid == 2;
  }
}
