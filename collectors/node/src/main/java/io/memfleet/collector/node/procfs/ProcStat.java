package io.memfleet.collector.node.procfs;

import java.util.Optional;

/**
 * The fields of {@code /proc/PID/stat} the node collector keys processes by.
 *
 * <p>Pids are reused, so a process is (pid, start time): {@code startTicks} is field 22, clock
 * ticks after boot. The comm field sits in parentheses and may itself contain spaces and
 * parentheses, so fields are counted from the last {@code ')'}.
 *
 * <pre>{@code
 * ProcStat stat = ProcStat.parse(Files.readString(Path.of("/proc/self/stat"))).orElseThrow();
 * }</pre>
 */
public record ProcStat(
    int pid, String comm, char state, int parentPid, long flags, long startTicks) {
  /** {@code PF_KTHREAD} in the flags field (9): the task is a kernel thread. */
  static final long PF_KTHREAD = 0x00200000L;

  /** Parses one stat line; empty when the text is not a stat line. */
  public static Optional<ProcStat> parse(String text) {
    int open = text.indexOf('(');
    int close = text.lastIndexOf(')');
    if (open <= 0 || close < open || close + 2 > text.length()) {
      return Optional.empty();
    }
    String[] rest = text.substring(close + 2).trim().split(" ");
    // rest[0] is field 3 (state); field 22 (starttime) is rest[19]
    if (rest.length < 20 || rest[0].isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ProcStat(
          Integer.parseInt(text.substring(0, open).trim()),
          text.substring(open + 1, close),
          rest[0].charAt(0),
          Integer.parseInt(rest[1]),
          Long.parseLong(rest[6]),
          Long.parseLong(rest[19])));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** True for kernel threads, which have no user memory to watch. */
  public boolean kernelThread() {
    return (flags & PF_KTHREAD) != 0;
  }

  /** True for a zombie or dead task, whose memory is already gone. */
  public boolean gone() {
    return state == 'Z' || state == 'X';
  }
}
