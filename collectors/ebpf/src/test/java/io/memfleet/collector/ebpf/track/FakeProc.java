package io.memfleet.collector.ebpf.track;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A procfs tree in a directory, with just the files the collector reads about a process. */
final class FakeProc {
  final Path root;

  FakeProc(Path root) throws IOException {
    this.root = root;
    Files.writeString(root.resolve("stat"), "cpu  1 2 3\nbtime 1795783350\n");
    Files.createDirectories(root.resolve("sys/kernel/random"));
    Files.writeString(root.resolve("sys/kernel/random/boot_id"), "boot-1\n");
  }

  /** A process; {@code flags} 0x00200000 makes it a kernel thread. */
  FakeProc process(int pid, int ppid, String comm, long flags, long startTicks, String cgroup,
      String environ) {
    try {
      Path dir = root.resolve(Integer.toString(pid));
      Files.createDirectories(dir);
      String[] f = new String[52];
      java.util.Arrays.fill(f, "0");
      f[0] = Integer.toString(pid);
      f[1] = "(" + comm + ")";
      f[2] = "S";
      f[3] = Integer.toString(ppid);
      f[8] = Long.toString(flags);
      f[21] = Long.toString(startTicks);
      f[46] = "94000000";
      Files.writeString(dir.resolve("stat"), String.join(" ", f) + "\n");
      Files.writeString(dir.resolve("comm"), comm + "\n");
      Files.writeString(dir.resolve("cgroup"), "4:memory:" + cgroup + "\n1:cpu:/\n");
      Files.writeString(dir.resolve("maps"), "");
      Files.write(dir.resolve("environ"), environ.replace(' ', '\0')
          .getBytes(StandardCharsets.UTF_8));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The process exits: its directory goes away. */
  void exit(int pid) throws IOException {
    try (Stream<Path> s = Files.walk(root.resolve(Integer.toString(pid)))) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
