package io.memfleet.collector.node.procfs;

import java.nio.charset.StandardCharsets;

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
 * @param malformedLines lines that did not have the {@code Key: value} layout, among those read
 *     (parsing stops once every field above was read)
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

  private static final byte[] NAME = KbFields.key("Name");
  private static final byte[] STATE = KbFields.key("State");
  private static final byte[] PID = KbFields.key("Pid");
  private static final byte[] PPID = KbFields.key("PPid");
  private static final byte[] KTHREAD = KbFields.key("Kthread");
  private static final byte[] VM_SIZE = KbFields.key("VmSize");
  private static final byte[] VM_RSS = KbFields.key("VmRSS");
  private static final byte[] VM_HWM = KbFields.key("VmHWM");
  private static final byte[] RSS_ANON = KbFields.key("RssAnon");
  private static final byte[] RSS_FILE = KbFields.key("RssFile");
  private static final byte[] RSS_SHMEM = KbFields.key("RssShmem");
  private static final byte[] VM_SWAP = KbFields.key("VmSwap");
  private static final byte[] THREADS = KbFields.key("Threads");
  /** A bit per key above: once all are read the rest of the file is skipped. */
  private static final int ALL_KEYS = (1 << 13) - 1;

  /** Parses the text of {@code status}. */
  public static ProcStatus parse(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return parse(bytes, bytes.length);
  }

  /** Parses the first {@code length} bytes of {@code bytes} as the text of {@code status}. */
  public static ProcStatus parse(byte[] bytes, int length) {
    KbFields f = new KbFields(bytes, length);
    String name = null;
    String state = null;
    Long kthread = null;
    Long vmSize = null;
    Long vmRss = null;
    Long vmHwm = null;
    Long rssAnon = null;
    Long rssFile = null;
    Long rssShmem = null;
    Long vmSwap = null;
    Long pid = null;
    Long ppid = null;
    Long threads = null;
    // half of status (signal masks, capabilities, the long Mems_allowed) follows Threads, the
    // last key read here: stopping once every key was read halves what parsing costs per
    // process per scan (a kernel without one of them, e.g. no Kthread line, reads to the end)
    int seen = 0;
    while (seen != ALL_KEYS && f.next()) {
      // the keys in the order the kernel prints them, the frequent memory lines first
      if (f.keyIs(VM_RSS)) {
        vmRss = f.bytes();
        seen |= 1 << 0;
      } else if (f.keyIs(RSS_ANON)) {
        rssAnon = f.bytes();
        seen |= 1 << 1;
      } else if (f.keyIs(RSS_FILE)) {
        rssFile = f.bytes();
        seen |= 1 << 2;
      } else if (f.keyIs(RSS_SHMEM)) {
        rssShmem = f.bytes();
        seen |= 1 << 3;
      } else if (f.keyIs(VM_SWAP)) {
        vmSwap = f.bytes();
        seen |= 1 << 4;
      } else if (f.keyIs(VM_SIZE)) {
        vmSize = f.bytes();
        seen |= 1 << 5;
      } else if (f.keyIs(VM_HWM)) {
        vmHwm = f.bytes();
        seen |= 1 << 6;
      } else if (f.keyIs(THREADS)) {
        threads = f.number();
        seen |= 1 << 7;
      } else if (f.keyIs(STATE)) {
        char c = f.firstChar();
        state = c == 0 ? null : String.valueOf(c);
        seen |= 1 << 8;
      } else if (f.keyIs(PID)) {
        pid = f.number();
        seen |= 1 << 9;
      } else if (f.keyIs(PPID)) {
        ppid = f.number();
        seen |= 1 << 10;
      } else if (f.keyIs(KTHREAD)) {
        kthread = f.number();
        seen |= 1 << 11;
      } else if (f.keyIs(NAME)) {
        name = f.text();
        seen |= 1 << 12;
      }
    }
    boolean kernelThread = kthread != null ? kthread == 1 : vmSize == null;
    return new ProcStatus(
        name,
        state,
        pid == null ? -1 : pid.intValue(),
        ppid == null ? -1 : ppid.intValue(),
        vmSize,
        vmRss,
        vmHwm,
        rssAnon,
        rssFile,
        rssShmem,
        vmSwap,
        threads == null ? 0 : threads,
        kernelThread,
        f.malformedLines);
  }

  /** True for a zombie: exited, waiting to be reaped, no memory left to read. */
  public boolean zombie() {
    return "Z".equals(state) || "X".equals(state);
  }
}
