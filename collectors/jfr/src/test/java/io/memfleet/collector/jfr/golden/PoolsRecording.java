package io.memfleet.collector.jfr.golden;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.jfr.JfrOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;

/**
 * Produces {@code src/test/resources/jfr/pools-sample.jfr}, the real recording behind
 * {@code JfrPoolsGoldenTest}: memfleet's GC, heap, pool and thread settings (no allocation
 * samples, to keep the file small) on a stock G1 JVM while it
 *
 * <ol>
 *   <li>fills the old generation past G1's initiating occupancy and drops it again, so a
 *       concurrent cycle and mixed collections follow;
 *   <li>loads classes into fresh class loaders (metaspace grows) and allocates direct buffers;
 *   <li>allocates direct buffers past {@code -XX:MaxDirectMemorySize} (an OutOfMemoryError built
 *       by Java code) and then the heap past its maximum (an OutOfMemoryError the JVM throws
 *       without a constructor), catching both.
 * </ol>
 *
 * <pre>
 * java -Xmx64m -XX:MaxDirectMemorySize=16m -cp target/test-classes:target/classes:$(cat cp.txt) \
 *      io.memfleet.collector.jfr.golden.PoolsRecording src/test/resources/jfr/pools-sample.jfr
 * </pre>
 */
public final class PoolsRecording {
  private static final List<Object> KEEP = new ArrayList<>();

  private PoolsRecording() {}

  public static void main(String[] args) throws Exception {
    JfrOptions options = new JfrOptions(new CollectorOptions());
    options.set("events", "gc+heap+pools+threads");
    options.set("poolPeriod", "200ms");
    options.set("threadPeriod", "500ms");
    Set<String> available = new HashSet<>();
    FlightRecorder.getFlightRecorder().getEventTypes().forEach(t -> available.add(t.getName()));
    try (Recording r = new Recording(options.jfrSettings(available))) {
      r.start();
      // old generation past the initiating occupancy (45% of the heap), then garbage
      List<long[]> oldGen = new ArrayList<>();
      for (int i = 0; i < 36 * 16; i++) {
        oldGen.add(new long[8 * 1024]);
        churn(256);
      }
      oldGen.clear();
      for (int i = 0; i < 200; i++) {
        churn(1024);
        Thread.sleep(2);
      }
      // metaspace and direct buffers
      byte[] classBytes = PoolsRecording.class.getResourceAsStream(
          "/io/memfleet/collector/jfr/golden/PoolsRecording$Plugin.class").readAllBytes();
      for (int i = 0; i < 200; i++) {
        KEEP.add(new PluginLoader(classBytes).load());
      }
      List<ByteBuffer> direct = new ArrayList<>();
      try {
        while (true) {
          direct.add(ByteBuffer.allocateDirect(1 << 20));
          Thread.sleep(20);
        }
      } catch (OutOfMemoryError expected) {
        direct.clear();
      }
      Thread.sleep(600);
      List<long[]> leak = new ArrayList<>();
      try {
        while (true) {
          leak.add(new long[16 * 1024]);
        }
      } catch (OutOfMemoryError expected) {
        leak.clear();
      }
      Thread.sleep(1200);
      r.stop();
      r.dump(Path.of(args[0]));
    }
  }

  private static long sink;

  private static void churn(int objects) {
    Object[] ring = new Object[64];
    for (int i = 0; i < objects; i++) {
      ring[i & 63] = new byte[1024];
      sink += ((byte[]) ring[i & 63]).length;
    }
  }

  /** A class loaded once per loader, as a plugin host would. */
  public static final class Plugin {
    public int version() {
      return 1;
    }
  }

  private static final class PluginLoader extends ClassLoader {
    private final byte[] bytes;

    PluginLoader(byte[] bytes) {
      super(null);
      this.bytes = bytes;
    }

    Class<?> load() {
      return defineClass("io.memfleet.collector.jfr.golden.PoolsRecording$Plugin", bytes, 0,
          bytes.length);
    }
  }
}
