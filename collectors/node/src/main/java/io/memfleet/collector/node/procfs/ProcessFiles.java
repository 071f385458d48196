package io.memfleet.collector.node.procfs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Optional;

/**
 * The {@code status} of one process — pid plus start time — read again at every scan.
 *
 * <p>On a real procfs the file stays open between scans and each scan reads it from offset 0
 * (one {@code pread}, no path lookup, no open or close: a third of the cost of reading it by
 * path). An open procfs file belongs to the process it was opened for, not to its pid number:
 * once that process has exited, reads fail with ESRCH even if a new process got the same pid,
 * so a successful read is always the same process. Where files cannot be held (a directory that
 * is not procfs, as in tests, or no file descriptor left), each read goes by path and checks the
 * start time in {@code stat} first.
 *
 * <pre>{@code
 * try (ProcessFiles files = proc.openProcess(pid, startTicks)) {
 *   Optional<ProcStatus> status = files.status(); // empty once the process is gone
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one scan thread reads it.
 */
public final class ProcessFiles implements Closeable {
  private final ProcfsReader reader;
  private final int pid;
  private final long startTicks;
  private FileChannel status;

  ProcessFiles(ProcfsReader reader, int pid, long startTicks, FileChannel status) {
    this.reader = reader;
    this.pid = pid;
    this.startTicks = startTicks;
    this.status = status;
  }

  public int pid() {
    return pid;
  }

  public long startTicks() {
    return startTicks;
  }

  /** True when reads go to a file held open (procfs), false when they go by path. */
  public boolean held() {
    return status != null;
  }

  /** The process's status now; empty when this process is gone (its pid may be reused). */
  public Optional<ProcStatus> status() {
    if (status == null) {
      Optional<ProcStat> stat = reader.stat(pid);
      if (stat.isEmpty() || stat.get().startTicks() != startTicks) {
        return Optional.empty();
      }
      return reader.status(pid);
    }
    ReadBuffer b = reader.buffer();
    try {
      ByteBuffer d = b.direct(b.bytes.length);
      int n;
      // a procfs status is generated whole on read: a read shorter than the buffer is all of it
      while ((n = status.read(d, 0)) == d.capacity()) {
        d = b.direct(d.capacity() * 2);
      }
      if (n <= 0) {
        return Optional.empty();
      }
      d.flip();
      b.copyFrom(d);
      return Optional.of(ProcStatus.parse(b.bytes, b.length));
    } catch (IOException e) {
      // ESRCH: the process exited; anything else is counted, and the process treated as gone
      if (!String.valueOf(e.getMessage()).contains("No such process")) {
        reader.countReadError();
      }
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    if (status != null) {
      try {
        status.close();
      } catch (IOException ignored) {
        // closing a read-only procfs file has nothing to flush
      }
      status = null;
    }
  }
}
