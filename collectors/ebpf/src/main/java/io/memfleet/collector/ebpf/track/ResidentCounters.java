package io.memfleet.collector.ebpf.track;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's per-process resident memory counters as kmem:rss_stat reports them, one member
 * at a time, turned into whole-process numbers: rss = file + anon + shmem pages, plus swap.
 *
 * <p>rss_stat only says which counter changed, so until every member has been reported the
 * others are approximations: they are seeded from {@code /proc/PID/status} (RssFile, RssAnon,
 * RssShmem, VmSwap) when the tracker starts, and each event then overwrites its member. The
 * kernel batches counter updates per CPU, so values can lag the truth by a few pages per CPU.
 *
 * <pre>{@code
 * ResidentCounters rss = ResidentCounters.seededFrom(pid);
 * rss.update(member, bytes);
 * long total = rss.rssBytes();
 * }</pre>
 */
public final class ResidentCounters {
  public static final int MM_FILEPAGES = 0;
  public static final int MM_ANONPAGES = 1;
  public static final int MM_SWAPENTS = 2;
  public static final int MM_SHMEMPAGES = 3;

  private final long[] bytes = new long[4];

  /** Counters starting from zero. */
  public ResidentCounters() {}

  /** Counters seeded from /proc/PID/status; zero where it cannot be read. */
  public static ResidentCounters seededFrom(int pid) {
    ResidentCounters c = new ResidentCounters();
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
        c.seed(line, "RssFile:", MM_FILEPAGES);
        c.seed(line, "RssAnon:", MM_ANONPAGES);
        c.seed(line, "VmSwap:", MM_SWAPENTS);
        c.seed(line, "RssShmem:", MM_SHMEMPAGES);
      }
    } catch (IOException | RuntimeException e) {
      // process gone or unreadable: start from zero, events fill in the members
    }
    return c;
  }

  /** Applies one rss_stat event; returns false for an unknown member. */
  public boolean update(int member, long valueBytes) {
    if (member < 0 || member >= bytes.length) {
      return false;
    }
    bytes[member] = valueBytes;
    return true;
  }

  public long rssBytes() {
    return bytes[MM_FILEPAGES] + bytes[MM_ANONPAGES] + bytes[MM_SHMEMPAGES];
  }

  public long anonBytes() {
    return bytes[MM_ANONPAGES];
  }

  public long fileBytes() {
    return bytes[MM_FILEPAGES];
  }

  public long shmemBytes() {
    return bytes[MM_SHMEMPAGES];
  }

  public long swapBytes() {
    return bytes[MM_SWAPENTS];
  }

  private void seed(String line, String key, int member) {
    if (line.startsWith(key)) {
      String[] parts = line.substring(key.length()).trim().split("\\s+");
      bytes[member] = Long.parseLong(parts[0]) * 1024; // "kB"
    }
  }
}
