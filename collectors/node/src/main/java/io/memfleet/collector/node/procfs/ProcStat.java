package io.memfleet.collector.node.procfs;

import java.nio.charset.StandardCharsets;
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
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return parse(bytes, bytes.length);
  }

  /**
   * Parses the first {@code length} bytes of {@code bytes} as a stat line, without building
   * strings other than the comm (the collector does this for every process every interval).
   */
  public static Optional<ProcStat> parse(byte[] bytes, int length) {
    int open = -1;
    int close = -1;
    for (int i = 0; i < length; i++) {
      if (bytes[i] == '(' && open < 0) {
        open = i;
      } else if (bytes[i] == ')') {
        close = i;
      }
    }
    // "PID (comm) S ...": a state letter after ") "
    if (open <= 0 || close < open || close + 3 > length || bytes[close + 1] != ' '
        || bytes[close + 2] == ' ') {
      return Optional.empty();
    }
    long pid = parseLong(bytes, 0, open - 1);
    if (pid < 0 || bytes[open - 1] != ' ') {
      return Optional.empty();
    }
    char state = (char) (bytes[close + 2] & 0xff);
    // fields after the state, by number: 4 ppid, 9 flags, 22 starttime
    long ppid = -1;
    long flags = -1;
    long start = -1;
    int field = 3;
    int i = close + 2;
    while (i < length && field < 22) {
      while (i < length && bytes[i] != ' ' && bytes[i] != '\n') {
        i++;
      }
      if (i >= length || bytes[i] == '\n') {
        break;
      }
      i++;
      field++;
      int e = i;
      while (e < length && bytes[e] != ' ' && bytes[e] != '\n') {
        e++;
      }
      if (field == 4) {
        ppid = parseLong(bytes, i, e);
      } else if (field == 9) {
        flags = parseLong(bytes, i, e);
      } else if (field == 22) {
        start = parseLong(bytes, i, e);
      }
    }
    if (field < 22 || ppid < 0 || flags < 0 || start < 0) {
      return Optional.empty();
    }
    return Optional.of(new ProcStat((int) pid,
        new String(bytes, open + 1, close - open - 1, StandardCharsets.UTF_8), state,
        (int) ppid, flags, start));
  }

  /** A non-negative decimal in {@code [from, to)}; -1 when empty or not all digits. */
  private static long parseLong(byte[] b, int from, int to) {
    if (to <= from || to - from > 19) {
      return -1;
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      if (b[i] < '0' || b[i] > '9') {
        return -1;
      }
      n = n * 10 + (b[i] - '0');
    }
    return n;
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
