package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * API gateway whose upstream connection pool never releases: every new upstream connection gets
 * a direct read buffer ({@code ByteBuffer.allocateDirect}, 64 KiB by default, filled by the first
 * response so its pages are resident), and closed connections stay in the pool's list, holding
 * their buffers. The live heap stays flat; the direct-buffer pool grows. Scenario
 * {@code jvm-direct-buffer-leak}.
 *
 * <pre>
 * java -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.GatewayService \
 *      --leak-rate 1MiB --buffer-bytes 64KiB --garbage-rate 16MiB
 * </pre>
 */
public final class GatewayService {
  private GatewayService() {}

  /** An upstream connection and its off-heap read buffer. */
  static final class UpstreamConnection {
    final long id;
    final ByteBuffer readBuffer;
    boolean closed;

    UpstreamConnection(long id, int bufferBytes) {
      this.id = id;
      this.readBuffer = ByteBuffer.allocateDirect(bufferBytes);
    }

    /** Reads a response into the buffer: every page written, so it is resident. */
    long receive(long seed) {
      readBuffer.clear();
      while (readBuffer.remaining() >= Long.BYTES) {
        readBuffer.putLong(seed++);
      }
      readBuffer.flip();
      return readBuffer.getLong(readBuffer.limit() / 2);
    }
  }

  /** Opens connections; "closing" marks them but they never leave {@link #all}. */
  static final class UpstreamPool {
    private final List<UpstreamConnection> all = new ArrayList<>();
    private final int bufferBytes;
    private long opened;

    UpstreamPool(int bufferBytes) {
      this.bufferBytes = bufferBytes;
    }

    UpstreamConnection connect() {
      UpstreamConnection c = new UpstreamConnection(opened++, bufferBytes);
      all.add(c);
      return c;
    }

    void close(UpstreamConnection c) {
      c.closed = true; // should also be all.remove(c)
    }

    int size() {
      return all.size();
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("api-gateway", argv);
    double leakRate = args.bytesPerSecond("leak-rate", "1MiB");
    int bufferBytes = (int) args.bytes("buffer-bytes", "64KiB");
    double garbageRate = args.bytesPerSecond("garbage-rate", "16MiB");
    args.check();

    UpstreamPool pool = new UpstreamPool(bufferBytes);
    RequestTraffic traffic = new RequestTraffic(garbageRate, 2048);
    Pace connects = Pace.ofBytes(leakRate, bufferBytes);
    SplittableRandom random = new SplittableRandom(17);
    ServiceLoop loop = ServiceLoop.start("api-gateway", "upstream pool that never releases"
        + " direct buffers, leak " + ServiceLoop.mib(leakRate) + "/s, request garbage "
        + ServiceLoop.mib(garbageRate) + "/s");
    long received = 0;
    while (loop.next()) {
      for (long n = connects.due(); n > 0; n--) {
        UpstreamConnection c = pool.connect();
        received += c.receive(random.nextLong());
        pool.close(c);
      }
      traffic.serveDue();
      long r = received;
      loop.status(() -> "connections=" + pool.size() + " direct="
          + ServiceLoop.mib((double) pool.size() * bufferBytes) + " requests="
          + traffic.served() + " checksum=" + r);
    }
  }
}
