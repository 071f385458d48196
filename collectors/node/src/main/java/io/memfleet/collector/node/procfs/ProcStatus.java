package io.memfleet.collector.node.procfs;

/**
 * Memory and thread fields of {@code /proc/PID/status}.
 *
 * <p>Memory fields are null for kernel threads, which have no address space, and for zombies.
 *
 * <pre>{@code
 * ProcStatus status = ProcStatus.parse(Files.readString(Path.of("/proc/self/status")));
 * long rss = status.vmRssBytes();
 * }</pre>
 *
 * @param state the state letter (R, S, D, Z, …), null when absent
 * @param kernelThread true when {@code Kthread: 1}, or when there is no VmSize on kernels that
 *     predate the Kthread line
 * @param malformedLines lines that did not have the {@code Key: value} layout
 */
public record ProcStatus(
    String name,
    String state,
    int pid,
    int parentPid,
    Long vmSizeBytes,
    Long vmRssBytes,
    Long vmHwmBytes,
    Long rssAnonBytes,
    Long rssFileBytes,
    Long rssShmemBytes,
    Long vmSwapBytes,
    long threads,
    boolean kernelThread,
    int malformedLines) {

  /** Parses the text of {@code status}. */
  public static ProcStatus parse(String text) {
    KbFields f = KbFields.parse(text);
    String state = f.raw.get("State");
    Long kthread = f.number("Kthread");
    Long vmSize = f.bytes("VmSize");
    boolean kernelThread = kthread != null ? kthread == 1 : vmSize == null;
    Long pid = f.number("Pid");
    Long ppid = f.number("PPid");
    Long threads = f.number("Threads");
    return new ProcStatus(
        f.raw.get("Name"),
        state == null || state.isEmpty() ? null : state.substring(0, 1),
        pid == null ? -1 : pid.intValue(),
        ppid == null ? -1 : ppid.intValue(),
        vmSize,
        f.bytes("VmRSS"),
        f.bytes("VmHWM"),
        f.bytes("RssAnon"),
        f.bytes("RssFile"),
        f.bytes("RssShmem"),
        f.bytes("VmSwap"),
        threads == null ? 0 : threads,
        kernelThread,
        f.malformedLines);
  }

  /** True for a zombie: exited, waiting to be reaped, no memory left to read. */
  public boolean zombie() {
    return "Z".equals(state) || "X".equals(state);
  }
}
