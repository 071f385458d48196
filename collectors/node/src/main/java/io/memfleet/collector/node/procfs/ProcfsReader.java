package io.memfleet.collector.node.procfs;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the per-process files of a procfs root ({@code /proc}, or a directory of captured
 * files in tests).
 *
 * <p>Processes come and go while they are read, so every read that fails because the process
 * vanished (no such file, ESRCH on {@code smaps_rollup} of a dying task) gives an empty result;
 * other I/O errors are counted in {@link #readErrors()} and give empty too. Nothing here throws
 * for a process that went away.
 *
 * <pre>{@code
 * ProcfsReader proc = new ProcfsReader(Path.of("/proc"));
 * for (int pid : proc.pids()) {
 *   proc.status(pid).ifPresent(s -> System.out.println(pid + " " + s.vmRssBytes()));
 * }
 * }</pre>
 *
 * <p>Thread-safe: each thread reads into its own reused buffers.
 */
public final class ProcfsReader {
  private static final Logger LOG = LoggerFactory.getLogger(ProcfsReader.class);

  /** {@code ProcessLifecycle.cmdline} is truncated to 1 KiB. */
  static final int CMDLINE_MAX = 1024;

  private final Path root;
  private final File rootFile;
  private final String rootPrefix;
  private final AtomicLong readErrors = new AtomicLong();
  private final boolean holdFiles;
  private volatile boolean heldFallbackLogged;
  private final ThreadLocal<ReadBuffer> buffers = ThreadLocal.withInitial(ReadBuffer::new);

  public ProcfsReader(Path root) {
    this.root = root;
    this.rootFile = root.toFile();
    this.rootPrefix = root.toString().endsWith("/") ? root.toString() : root + "/";
    this.holdFiles = isProcfs(root);
  }

  private static boolean isProcfs(Path root) {
    try {
      return "proc".equals(Files.getFileStore(root).type());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The per-scan files of process {@code pid} started at {@code startTicks}, held open on a real
   * procfs (see {@link ProcessFiles}); the caller closes them when the process is gone.
   */
  public ProcessFiles openProcess(int pid, long startTicks) {
    FileChannel status = null;
    if (holdFiles) {
      try {
        status = FileChannel.open(Path.of(buffer().path(rootPrefix, pid, "status")));
      } catch (IOException | RuntimeException e) {
        // gone already (the next read says so) or no descriptor left: read by path instead
        if (!heldFallbackLogged && String.valueOf(e.getMessage()).contains("open files")) {
          heldFallbackLogged = true;
          LOG.warn("cannot hold more procfs files open ({}); reading by path from now on"
              + " for new processes", e.toString());
        }
      }
    }
    return new ProcessFiles(this, pid, startTicks, status);
  }

  /** True when per-process files are held open between scans (the root is a real procfs). */
  public boolean holdsFiles() {
    return holdFiles;
  }

  public Path root() {
    return root;
  }

  /** Numeric entries of the root, in directory order. */
  public List<Integer> pids() throws IOException {
    int[] pids = pidArray();
    List<Integer> list = new ArrayList<>(pids.length);
    for (int pid : pids) {
      list.add(pid);
    }
    return list;
  }

  /** Numeric entries of the root, in directory order, without boxing. */
  public int[] pidArray() throws IOException {
    // File.list: names only, no Path object per entry (the scan lists /proc every interval)
    String[] names = rootFile.list();
    if (names == null) {
      throw new IOException("cannot list " + root);
    }
    int[] pids = new int[names.length];
    int n = 0;
    for (String name : names) {
      int pid = pidOf(name);
      if (pid > 0) {
        pids[n++] = pid;
      }
    }
    return java.util.Arrays.copyOf(pids, n);
  }

  private static int pidOf(String name) {
    if (name.isEmpty() || name.length() > 10) {
      return -1;
    }
    long n = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n > Integer.MAX_VALUE ? -1 : (int) n;
  }

  public Optional<ProcStat> stat(int pid) {
    ReadBuffer b = readBytes(pid, "stat");
    return b == null ? Optional.empty() : ProcStat.parse(b.bytes, b.length);
  }

  public Optional<ProcStatus> status(int pid) {
    ReadBuffer b = readBytes(pid, "status");
    return b == null ? Optional.empty() : Optional.of(ProcStatus.parse(b.bytes, b.length));
  }

  public Optional<SmapsRollup> smapsRollup(int pid) {
    ReadBuffer b = readBytes(pid, "smaps_rollup");
    return b == null ? Optional.empty() : Optional.of(SmapsRollup.parse(b.bytes, b.length));
  }

  public Optional<ProcCgroups> cgroups(int pid) {
    return read(pid, "cgroup").map(ProcCgroups::parse);
  }

  /** The command line with NULs as spaces, truncated to 1 KiB; empty for kernel threads. */
  public Optional<String> cmdline(int pid) {
    return read(pid, "cmdline")
        .map(s -> s.replace('\0', ' ').strip())
        .filter(s -> !s.isEmpty())
        .map(s -> s.length() > CMDLINE_MAX ? s.substring(0, CMDLINE_MAX) : s);
  }

  /** I/O errors other than "the process is gone" since construction. */
  public long readErrors() {
    return readErrors.get();
  }

  void countReadError() {
    readErrors.incrementAndGet();
  }

  ReadBuffer buffer() {
    return buffers.get();
  }

  private Optional<String> read(int pid, String file) {
    ReadBuffer b = readBytes(pid, file);
    return b == null ? Optional.empty()
        : Optional.of(new String(b.bytes, 0, b.length, StandardCharsets.UTF_8));
  }

  /**
   * Reads a whole per-process file into this thread's buffer; null when the process is gone or
   * the file unreadable. The buffer is valid until the thread's next read.
   */
  ReadBuffer readBytes(int pid, String file) {
    ReadBuffer b = buffers.get();
    String path = b.path(rootPrefix, pid, file);
    // FileInputStream over a reused array: procfs files are generated on read, so there is no
    // size to ask for first, and no String or channel is needed to parse them
    try (FileInputStream in = new FileInputStream(path)) {
      b.length = 0;
      int n;
      while ((n = in.read(b.bytes, b.length, b.bytes.length - b.length)) > 0) {
        b.length += n;
        if (b.length == b.bytes.length) {
          b.grow();
        }
      }
      return b;
    } catch (IOException e) {
      // the process exited between listing and opening (ENOENT), a task that exits while
      // being read answers ESRCH, or its directory is gone by now; anything else (EACCES) counts
      String message = String.valueOf(e.getMessage());
      boolean gone = message.contains("No such file") || message.contains("No such process")
          || !Files.isDirectory(root.resolve(Integer.toString(pid)));
      if (!gone) {
        readErrors.incrementAndGet();
      }
      return null;
    }
  }
}
