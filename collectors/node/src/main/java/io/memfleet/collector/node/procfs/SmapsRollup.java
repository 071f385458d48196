package io.memfleet.collector.node.procfs;

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

  /** Parses the text of {@code smaps_rollup}. An empty text (kernel threads) gives all nulls. */
  public static SmapsRollup parse(String text) {
    KbFields f = KbFields.parse(text);
    return new SmapsRollup(
        f.bytes("Rss"),
        f.bytes("Pss"),
        f.bytes("Pss_Anon"),
        f.bytes("Pss_File"),
        f.bytes("Pss_Shmem"),
        f.bytes("Anonymous"),
        f.bytes("Swap"),
        f.bytes("SwapPss"),
        f.malformedLines);
  }
}
