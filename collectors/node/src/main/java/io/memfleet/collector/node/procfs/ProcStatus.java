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
    while (f.next()) {
      // the keys in the order the kernel prints them, the frequent memory lines first
      if (f.keyIs(VM_RSS)) {
        vmRss = f.bytes();
      } else if (f.keyIs(RSS_ANON)) {
        rssAnon = f.bytes();
      } else if (f.keyIs(RSS_FILE)) {
        rssFile = f.bytes();
      } else if (f.keyIs(RSS_SHMEM)) {
        rssShmem = f.bytes();
      } else if (f.keyIs(VM_SWAP)) {
        vmSwap = f.bytes();
      } else if (f.keyIs(VM_SIZE)) {
        vmSize = f.bytes();
      } else if (f.keyIs(VM_HWM)) {
        vmHwm = f.bytes();
      } else if (f.keyIs(THREADS)) {
        threads = f.number();
      } else if (f.keyIs(STATE)) {
        char c = f.firstChar();
        state = c == 0 ? null : String.valueOf(c);
      } else if (f.keyIs(PID)) {
        pid = f.number();
      } else if (f.keyIs(PPID)) {
        ppid = f.number();
      } else if (f.keyIs(KTHREAD)) {
        kthread = f.number();
      } else if (f.keyIs(NAME)) {
        name = f.text();
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
