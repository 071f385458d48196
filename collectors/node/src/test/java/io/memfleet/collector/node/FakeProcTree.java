package io.memfleet.collector.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A procfs root and cgroup v1/v2 mounts written into a temp directory, in the kernel's formats,
 * so scans can be driven step by step (a process appears, grows, is OOM-killed, its pid is
 * reused) without waiting for a real kernel to do it.
 */
public final class FakeProcTree {
  public static final long BTIME = 1_795_783_350L;
  public final Path proc;
  public final Path cgroupV1;
  public final Path cgroupV2;

  public FakeProcTree(Path dir) {
    this.proc = dir.resolve("proc");
    this.cgroupV1 = dir.resolve("cgroup-v1-memory");
    this.cgroupV2 = dir.resolve("cgroup-v2");
    write(proc.resolve("stat"), "cpu  1 2 3 4\nbtime " + BTIME + "\nprocesses 99\n");
    write(proc.resolve("sys/kernel/random/boot_id"), "0b1c2d3e-0000-4000-8000-000000000001\n");
  }

  /** A process in cgroup {@code cgroupPath} (v1 when {@code v1}, else v2). */
  public FakeProcTree process(int pid, String comm, long startTicks, long rssKb, int threads,
      String cgroupPath, boolean v1) {
    Path d = proc.resolve(Integer.toString(pid));
    write(d.resolve("stat"), pid + " (" + comm + ") S 1 " + pid + " " + pid
        + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 " + threads + " 0 " + startTicks
        + " 100000 10 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
    write(d.resolve("comm"), comm + "\n");
    write(d.resolve("cmdline"), "/usr/bin/" + comm + "\0--flag\0");
    write(d.resolve("cgroup"), v1
        ? "9:name=systemd:/\n4:memory:" + cgroupPath + "\n0::/\n"
        : "0::" + cgroupPath + "\n");
    rss(pid, rssKb, threads);
    return this;
  }

  public FakeProcTree rss(int pid, long rssKb, int threads) {
    Path d = proc.resolve(Integer.toString(pid));
    String name;
    try {
      name = Files.readString(d.resolve("comm")).strip();
    } catch (IOException e) {
      name = "x";
    }
    write(d.resolve("status"), "Name:\t" + name + "\nState:\tS (sleeping)\nPid:\t" + pid + "\nPPid:\t1\n"
        + "Kthread:\t0\nVmSize:\t  " + (rssKb * 4) + " kB\nVmRSS:\t  " + rssKb + " kB\n"
        + "RssAnon:\t  " + (rssKb - 100) + " kB\nRssFile:\t  100 kB\nRssShmem:\t  0 kB\n"
        + "VmSwap:\t  0 kB\nThreads:\t" + threads + "\n");
    write(d.resolve("smaps_rollup"), "00400000-7ffd40278000 ---p 00000000 00:00 0  [rollup]\n"
        + "Rss:  " + rssKb + " kB\nPss:  " + (rssKb - 50) + " kB\n");
    return this;
  }

  /**
   * Process {@code pid} execs {@code comm}: same pid and start time, a new name and command
   * line; {@code mapsLines} become its {@code maps} (e.g. a {@code libjvm.so} mapping).
   */
  public FakeProcTree exec(int pid, String comm, String... mapsLines) {
    Path d = proc.resolve(Integer.toString(pid));
    String stat = read(d.resolve("stat"));
    write(d.resolve("stat"), stat.substring(0, stat.indexOf('(') + 1) + comm
        + stat.substring(stat.lastIndexOf(')')));
    write(d.resolve("comm"), comm + "\n");
    write(d.resolve("cmdline"), "/usr/bin/" + comm + "\0");
    maps(pid, mapsLines);
    String status = read(d.resolve("status"));
    write(d.resolve("status"), status.replaceFirst("Name:\t[^\n]*", "Name:\t" + comm));
    return this;
  }

  /** Process {@code pid} joins the cgroup v1 memory cgroup {@code cgroupPath}. */
  public FakeProcTree joinCgroupV1(int pid, String cgroupPath) {
    write(proc.resolve(pid + "/cgroup"), "9:name=systemd:/\n4:memory:" + cgroupPath + "\n0::/\n");
    return this;
  }

  /** {@code /proc/PID/maps}, one mapping per line. */
  public FakeProcTree maps(int pid, String... lines) {
    write(proc.resolve(pid + "/maps"), lines.length == 0 ? "" : String.join("\n", lines) + "\n");
    return this;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code /proc/PID/environ}: NUL-separated {@code NAME=value} entries, as the kernel shows. */
  public FakeProcTree environ(int pid, String... entries) {
    write(proc.resolve(pid + "/environ"), String.join("\0", entries) + "\0");
    return this;
  }

  public FakeProcTree exit(int pid) {
    deleteTree(proc.resolve(Integer.toString(pid)));
    return this;
  }

  public FakeProcTree cgroupV1(String path, long usage, long limit, long oomKills) {
    Path d = cgroupV1.resolve(path.substring(1));
    write(d.resolve("memory.usage_in_bytes"), usage + "\n");
    write(d.resolve("memory.limit_in_bytes"), limit + "\n");
    write(d.resolve("memory.oom_control"),
        "oom_kill_disable 0\nunder_oom 0\noom_kill " + oomKills + "\n");
    write(d.resolve("memory.stat"), "cache 0\nrss " + usage + "\n");
    return this;
  }

  public FakeProcTree cgroupV2(String path, long current, String max, long oomKills) {
    Path d = cgroupV2.resolve(path.substring(1));
    write(d.resolve("memory.current"), current + "\n");
    write(d.resolve("memory.max"), max + "\n");
    write(d.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill " + oomKills
        + "\noom_group_kill 0\n");
    write(d.resolve("memory.stat"), "anon " + current + "\n");
    return this;
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
