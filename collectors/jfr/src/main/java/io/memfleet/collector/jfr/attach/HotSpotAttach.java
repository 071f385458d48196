package io.memfleet.collector.jfr.attach;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs diagnostic commands ({@code jcmd}) in a HotSpot JVM of this host through the JVM's attach
 * mechanism, from any JVM (no {@code jdk.attach} module, no JMX agent in the target), also when the
 * target runs in a container: another mount namespace (files through {@code /proc/PID/root}) and
 * another pid namespace (the JVM names its files after its own pid, {@code NSpid} in
 * {@code /proc/PID/status}).
 *
 * <pre>{@code
 * String out = HotSpotAttach.to(pid).jcmd("JFR.check");
 * }</pre>
 *
 * <p>The protocol (HotSpot on Linux, version 1, which every HotSpot since JDK 6 answers, JDK 25
 * included): the JVM listens on the Unix socket {@code /tmp/.java_pid<nspid>} once its attach
 * listener runs. To start the listener, a client creates {@code .attach_pid<nspid>} in the JVM's
 * working directory (or {@code /tmp}) and sends SIGQUIT; the JVM's signal handler sees the file
 * and starts listening instead of printing a thread dump. A request is {@code "1\0jcmd\0<command
 * line>\0\0\0"} (version, operation, three arguments); the reply is a status line ({@code 0} = done) followed by the command's output.
 * Each argument may be at most 1024 bytes on older JVMs, so a command names a settings file
 * rather than carrying settings inline.
 *
 * <p>Who may attach: the JVM accepts a peer with its own effective uid and gid, or root. SIGQUIT
 * is sent only to a process that catches it (a JVM started with {@code -Xrs} does not, and would
 * otherwise be killed), checked in {@code /proc/PID/status}. The listener is one thread the JVM
 * keeps (named "Attach Listener").
 */
public final class HotSpotAttach {
  /** How long to wait for a JVM to start listening, and for a command's reply. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  /** SIGQUIT is signal 3: bit 2 of the SigCgt/SigIgn masks. */
  private static final long SIGQUIT_MASK = 1L << 2;

  private final Path procRoot;
  private final int pid;
  private final Duration timeout;

  private HotSpotAttach(Path procRoot, int pid, Duration timeout) {
    this.procRoot = procRoot;
    this.pid = pid;
    this.timeout = timeout;
  }

  /** The JVM with this host pid, through {@code /proc}. */
  public static HotSpotAttach to(int pid) {
    return to(Path.of("/proc"), pid, DEFAULT_TIMEOUT);
  }

  /**
   * The JVM with this pid, through procfs at {@code procRoot} (e.g. {@code /host/proc} in a
   * DaemonSet with {@code hostPID}).
   */
  public static HotSpotAttach to(Path procRoot, int pid, Duration timeout) {
    if (pid <= 0) {
      throw new IllegalArgumentException("pid must be positive: " + pid);
    }
    Objects.requireNonNull(procRoot, "procRoot");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return new HotSpotAttach(procRoot, pid, timeout);
  }

  public int pid() {
    return pid;
  }

  /** The pid the JVM sees for itself (the innermost of {@code NSpid}). */
  public int namespacePid() throws IOException {
    return namespacePid(procRoot, pid);
  }

  /** The innermost pid of {@code NSpid} in {@code /proc/PID/status} (the pid itself if absent). */
  public static int namespacePid(Path procRoot, int pid) throws IOException {
    for (String line : Files.readAllLines(procRoot.resolve(pid + "/status"))) {
      if (line.startsWith("NSpid:")) {
        String[] pids = line.substring(6).strip().split("\\s+");
        return Integer.parseInt(pids[pids.length - 1]);
      }
    }
    return pid;
  }

  /** The target's {@code /tmp} as this process reaches it. */
  public Path targetTmp() {
    return procRoot.resolve(pid + "/root/tmp");
  }

  /**
   * Runs one diagnostic command line ({@code "JFR.check name=memfleet"}) and returns its output.
   *
   * @throws AttachException when the JVM cannot be reached, refuses, or the command fails (with
   *     the JVM's message)
   */
  public String jcmd(String commandLine) throws IOException {
    byte[] line = commandLine.getBytes(StandardCharsets.UTF_8);
    if (line.length > 1024) {
      throw new IllegalArgumentException("command longer than 1024 bytes: " + commandLine);
    }
    Path socket = listenerSocket();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        ch.connect(UnixDomainSocketAddress.of(socket));
      } catch (IOException e) {
        throw new AttachException("cannot connect to the attach socket " + socket + " of pid "
            + pid + ": " + e.getMessage() + " (attaching needs the JVM's own user or root)", e);
      }
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      // version, operation, then exactly three arguments: a JDK 17 listener drops a request
      // with more
      for (byte[] part : List.of(bytes("1"), bytes("jcmd"), line, new byte[0], new byte[0])) {
        request.write(part);
        request.write(0);
      }
      byte[] reply = exchange(ch, request.toByteArray(), deadline);
      return parseReply(reply, commandLine);
    }
  }

  /** Status line, then output; a non-zero status carries the JVM's error message. */
  static String parseReply(byte[] reply, String commandLine) throws AttachException {
    String text = new String(reply, StandardCharsets.UTF_8);
    int eol = text.indexOf('\n');
    if (eol < 0) {
      throw new AttachException("no reply to '" + commandLine + "' (the JVM closed the"
          + " connection: another user's JVM refuses non-root peers)");
    }
    int status;
    try {
      status = Integer.parseInt(text.substring(0, eol).strip());
    } catch (NumberFormatException e) {
      throw new AttachException("malformed reply to '" + commandLine + "': " + text.strip());
    }
    String output = text.substring(eol + 1);
    if (status != 0) {
      throw new AttachException("'" + commandLine + "' failed in pid: " + output.strip());
    }
    return output;
  }

  private byte[] exchange(SocketChannel ch, byte[] request, long deadline) throws IOException {
    ch.configureBlocking(false);
    ByteBuffer out = ByteBuffer.wrap(request);
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    ByteBuffer in = ByteBuffer.allocate(8192);
    try (Selector selector = Selector.open()) {
      SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
      while (true) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new AttachException("pid " + pid + " did not answer within " + timeout);
        }
        selector.select(left);
        if (key.isWritable()) {
          ch.write(out);
          if (!out.hasRemaining()) {
            key.interestOps(SelectionKey.OP_READ);
          }
        } else if (key.isReadable()) {
          in.clear();
          int n = ch.read(in);
          if (n < 0) {
            return reply.toByteArray();
          }
          reply.write(in.array(), 0, n);
        }
        selector.selectedKeys().clear();
      }
    }
  }

  /** The listener's socket, starting the listener first when it does not run yet. */
  private Path listenerSocket() throws IOException {
    int nsPid;
    try {
      nsPid = namespacePid();
    } catch (NoSuchFileException e) {
      throw new AttachException("no process " + pid);
    }
    Path tmp = Files.isDirectory(targetTmp()) ? targetTmp() : Path.of("/tmp");
    Path socket = tmp.resolve(".java_pid" + nsPid);
    if (Files.exists(socket)) {
      return socket;
    }
    if (!catchesSigquit()) {
      throw new AttachException("pid " + pid + " does not catch SIGQUIT (not a HotSpot JVM, or"
          + " started with -Xrs): cannot start its attach listener");
    }
    Path trigger = createTrigger(nsPid, tmp);
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      long nap = 20;
      boolean resent = false;
      sigquit();
      while (!Files.exists(socket)) {
        if (System.nanoTime() > deadline) {
          throw new AttachException("pid " + pid + " did not start its attach listener within "
              + timeout + " (started with -XX:+DisableAttachMechanism, or not a HotSpot JVM)");
        }
        if (!resent && System.nanoTime() > deadline - timeout.toNanos() / 2) {
          sigquit(); // a JVM still starting up may have missed the first one
          resent = true;
        }
        Thread.sleep(nap);
        nap = Math.min(nap * 2, 200);
      }
      return socket;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AttachException("interrupted while attaching to pid " + pid);
    } finally {
      Files.deleteIfExists(trigger);
    }
  }

  private Path createTrigger(int nsPid, Path tmp) throws IOException {
    String name = ".attach_pid" + nsPid;
    Path inCwd = procRoot.resolve(pid + "/cwd").resolve(name);
    try {
      return Files.createFile(inCwd);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return inCwd;
    } catch (IOException e) {
      Path inTmp = tmp.resolve(name);
      try {
        return Files.createFile(inTmp);
      } catch (java.nio.file.FileAlreadyExistsException again) {
        return inTmp;
      }
    }
  }

  private boolean catchesSigquit() throws IOException {
    long caught = 0;
    long ignored = 0;
    for (String line : Files.readAllLines(procRoot.resolve(pid + "/status"))) {
      if (line.startsWith("SigCgt:")) {
        caught = Long.parseUnsignedLong(line.substring(7).strip(), 16);
      } else if (line.startsWith("SigIgn:")) {
        ignored = Long.parseUnsignedLong(line.substring(7).strip(), 16);
      }
    }
    return (caught & SIGQUIT_MASK) != 0 && (ignored & SIGQUIT_MASK) == 0;
  }

  private void sigquit() throws IOException, InterruptedException {
    // the JDK has no API for signals other than TERM/KILL; kill(1) is in every base image
    Process kill = new ProcessBuilder("kill", "-QUIT", Integer.toString(pid))
        .redirectErrorStream(true).start();
    String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (kill.waitFor() != 0) {
      throw new AttachException("cannot signal pid " + pid + ": " + out.strip());
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Attaching or a command in the target failed; the message says why. */
  public static final class AttachException extends IOException {
    private static final long serialVersionUID = 1L;

    public AttachException(String message) {
      super(message);
    }

    public AttachException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
