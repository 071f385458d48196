package io.memfleet.collector.node.procfs;

import java.nio.charset.StandardCharsets;

/**
 * Totals of {@code /proc/PID/smaps_rollup}: the process's mappings summed by the kernel.
 *
 * <p>Pss divides each shared page among the processes mapping it, so summing Pss over a fleet of
 * processes does not double count shared libraries the way Rss does. Fields the kernel did not
 * print are null.
 *
 * <pre>{@code
 * SmapsRollup rollup = SmapsRollup.parse(Files.readString(Path.of("/proc/self/smaps_rollup")));
 * long pss = rollup.pssBytes();
 * }</pre>
 *
 * @param malformedLines lines that did not have the {@code Key: N kB} layout
 */
public record SmapsRollup(
    Long rssBytes,
    Long pssBytes,
    Long pssAnonBytes,
    Long pssFileBytes,
    Long pssShmemBytes,
    Long anonymousBytes,
    Long swapBytes,
    Long swapPssBytes,
    int malformedLines) {

  private static final byte[] RSS = KbFields.key("Rss");
  private static final byte[] PSS = KbFields.key("Pss");
  private static final byte[] PSS_ANON = KbFields.key("Pss_Anon");
  private static final byte[] PSS_FILE = KbFields.key("Pss_File");
  private static final byte[] PSS_SHMEM = KbFields.key("Pss_Shmem");
  private static final byte[] ANONYMOUS = KbFields.key("Anonymous");
  private static final byte[] SWAP = KbFields.key("Swap");
  private static final byte[] SWAP_PSS = KbFields.key("SwapPss");

  /** Parses the text of {@code smaps_rollup}. An empty text (kernel threads) gives all nulls. */
  public static SmapsRollup parse(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return parse(bytes, bytes.length);
  }

  /** Parses the first {@code length} bytes of {@code bytes} as {@code smaps_rollup}. */
  public static SmapsRollup parse(byte[] bytes, int length) {
    KbFields f = new KbFields(bytes, length);
    Long[] v = new Long[8];
    while (f.next()) {
      int i = f.keyIs(RSS) ? 0 : f.keyIs(PSS) ? 1 : f.keyIs(PSS_ANON) ? 2
          : f.keyIs(PSS_FILE) ? 3 : f.keyIs(PSS_SHMEM) ? 4 : f.keyIs(ANONYMOUS) ? 5
          : f.keyIs(SWAP) ? 6 : f.keyIs(SWAP_PSS) ? 7 : -1;
      if (i >= 0) {
        v[i] = f.bytes();
      }
    }
    return new SmapsRollup(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], f.malformedLines);
  }
}
