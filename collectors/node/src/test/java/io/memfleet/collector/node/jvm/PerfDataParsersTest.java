package io.memfleet.collector.node.jvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.collector.node.Golden;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.PoolUsage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Golden files: hsperfdata of real G1, Parallel and ZGC JVMs captured on this machine, checked
 * against {@code jstat -snap} of the same files (see the README next to them).
 */
class PerfDataParsersTest {

  static byte[] golden(String name) {
    try (InputStream in = PerfDataParsersTest.class.getResourceAsStream(
        "/golden/hsperfdata/" + name + ".hsperfdata")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PerfDataBuffer all(byte[] bytes) {
    return PerfDataBuffer.index(ByteBuffer.wrap(bytes), n -> true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"g1", "parallel", "zgc"})
  void everyCounterReadsAsJstatReadsIt(String gc) {
    PerfDataBuffer perf = all(golden(gc));
    String snap = Golden.read("hsperfdata/" + gc + ".jstat-snap.txt");
    int checked = 0;
    for (String line : snap.split("\n")) {
      int eq = line.indexOf('=');
      String name = line.substring(0, eq);
      String value = line.substring(eq + 1);
      if (value.startsWith("\"")) {
        assertThat(perf.stringValue(name)).as(name)
            .isEqualTo(value.substring(1, value.length() - 1));
      } else {
        assertThat(perf.longValue(name)).as(name).hasValue(Long.parseLong(value));
      }
      checked++;
    }
    assertThat(checked).isGreaterThanOrEqualTo(12);
    assertThat(perf.structureChanged()).isFalse();
  }

  private static Map<MemoryPool, PoolUsage> pools(JvmMemoryCounters c) {
    return c.pools().stream().collect(Collectors.toMap(PoolUsage::getPool, p -> p));
  }

  @Test
  void g1Pools() {
    JvmMemoryCounters c = JvmMemoryCounters.read(
        PerfDataBuffer.index(ByteBuffer.wrap(golden("g1")), JvmMemoryCounters::needed));
    assertThat(c.heapUsed()).isEqualTo(2097152L + 10961088L);
    assertThat(c.heapCommitted()).isEqualTo(5242904L + 30408712L);
    assertThat(c.heapMax()).hasValue(256L << 20); // -Xmx256m
    Map<MemoryPool, PoolUsage> p = pools(c);
    assertThat(p.get(MemoryPool.HEAP).getLimitBytes()).isEqualTo(256L << 20);
    // HotSpot's metaspace counters include the class space; METASPACE is the rest, as in JFR
    assertThat(p.get(MemoryPool.METASPACE).getUsedBytes()).isEqualTo(76800L - 3400L);
    assertThat(p.get(MemoryPool.METASPACE).getCommittedBytes()).isEqualTo(327680L - 131072L);
    assertThat(p.get(MemoryPool.METASPACE).getLimitBytes()).isNull(); // no MaxMetaspaceSize
    assertThat(p.get(MemoryPool.CLASS_SPACE).getUsedBytes()).isEqualTo(3400L);
    assertThat(p.get(MemoryPool.CLASS_SPACE).getLimitBytes()).isEqualTo(1L << 30);
    assertThat(p.get(MemoryPool.THREAD_STACKS).getCount()).isEqualTo(10L);
    assertThat(p.get(MemoryPool.THREAD_STACKS).getUsedBytes()).isEqualTo(10L << 20);
    assertThat(p.get(MemoryPool.CODE_CACHE).getUsedBytes()).isEqualTo(31744L);
    assertThat(c.settings()).containsEntry("gc", "G1")
        .containsEntry("MaxHeapSize", Long.toString(256L << 20))
        .containsEntry("ThreadStackSize", Long.toString(1L << 20));
  }

  @Test
  void heapLimitWithoutXmxG1SharesRegionsParallelAdds() {
    JvmMemoryCounters g1 = JvmMemoryCounters.read(PerfDataBuffer.index(
        ByteBuffer.wrap(golden("g1")), n -> JvmMemoryCounters.needed(n) && !n.contains("vmArgs")));
    assertThat(g1.heapMax()).hasValue(268435480L); // the larger generation maximum
    JvmMemoryCounters par = JvmMemoryCounters.read(PerfDataBuffer.index(
        ByteBuffer.wrap(golden("parallel")),
        n -> JvmMemoryCounters.needed(n) && !n.contains("vmArgs")));
    assertThat(par.heapMax()).hasValue(89128960L + 179306496L);
  }

  @Test
  void parallelAndZgcPools() {
    JvmMemoryCounters par = JvmMemoryCounters.read(
        PerfDataBuffer.index(ByteBuffer.wrap(golden("parallel")), JvmMemoryCounters::needed));
    assertThat(par.settings()).containsEntry("gc", "Parallel");
    assertThat(par.heapCommitted()).isEqualTo(89128960L + 179306496L);
    JvmMemoryCounters z = JvmMemoryCounters.read(
        PerfDataBuffer.index(ByteBuffer.wrap(golden("zgc")), JvmMemoryCounters::needed));
    assertThat(z.settings()).containsEntry("gc", "Z");
    assertThat(z.heapUsed()).isEqualTo(12582912L);
    assertThat(z.heapMax()).hasValue(256L << 20);
    assertThat(pools(z)).containsKeys(MemoryPool.HEAP, MemoryPool.METASPACE,
        MemoryPool.CLASS_SPACE, MemoryPool.THREAD_STACKS, MemoryPool.CODE_CACHE);
  }

  @Test
  void vmArgumentSizes() {
    assertThat(JvmMemoryCounters.vmSize("-Xss512k -Xmx2g", "-Xss", "-XX:ThreadStackSize="))
        .hasValue(512L << 10);
    assertThat(JvmMemoryCounters.vmSize("-XX:ThreadStackSize=2048", "-Xss",
        "-XX:ThreadStackSize=")).hasValue(2048L << 10);
    assertThat(JvmMemoryCounters.vmSize("-Xmx1g -Xmx3G", "-Xmx", "-XX:MaxHeapSize="))
        .hasValue(3L << 30);
    assertThat(JvmMemoryCounters.vmSize("-Xmxlots", "-Xmx", "-XX:MaxHeapSize=")).isEmpty();
    assertThat(JvmMemoryCounters.vmSize(null, "-Xmx", "-XX:MaxHeapSize=")).isEmpty();
  }

  @Test
  void malformedBuffersAreRejectedNotCrashed() {
    byte[] g1 = golden("g1");
    assertThatThrownBy(() -> all(new byte[10]))
        .isInstanceOf(PerfDataBuffer.MalformedPerfDataException.class);
    assertThatThrownBy(() -> all(new byte[4096]))
        .hasMessageContaining("magic");
    byte[] truncated = Arrays.copyOf(g1, 2000);
    assertThatThrownBy(() -> all(truncated))
        .isInstanceOf(PerfDataBuffer.MalformedPerfDataException.class);
    byte[] notReady = g1.clone();
    notReady[7] = 0;
    assertThatThrownBy(() -> all(notReady)).isInstanceOf(PerfDataBuffer.NotReadyException.class);
    byte[] version1 = g1.clone();
    version1[5] = 1;
    assertThatThrownBy(() -> all(version1)).hasMessageContaining("version");
    byte[] badEntries = g1.clone();
    ByteBuffer.wrap(badEntries).order(ByteOrder.LITTLE_ENDIAN).putInt(28, 1 << 20);
    assertThatThrownBy(() -> all(badEntries))
        .isInstanceOf(PerfDataBuffer.MalformedPerfDataException.class);
  }

  @Test
  void randomCorruptionNeverEscapesAsAnotherException() {
    byte[] g1 = golden("g1");
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      byte[] b = g1.clone();
      for (int k = 0; k < 8; k++) {
        b[random.nextInt(1024)] = (byte) random.nextInt(256);
      }
      b[0] = (byte) 0xca; // keep the magic so the entry walk is exercised
      b[1] = (byte) 0xfe;
      b[2] = (byte) 0xc0;
      b[3] = (byte) 0xc0;
      try {
        PerfDataBuffer perf = PerfDataBuffer.index(ByteBuffer.wrap(b), n -> true);
        JvmMemoryCounters.read(perf);
      } catch (PerfDataBuffer.MalformedPerfDataException expected) {
        // counted by the sampler
      }
    }
  }

  @Test
  void newEntriesAreNoticed() {
    byte[] g1 = golden("g1");
    PerfDataBuffer perf = all(g1);
    ByteBuffer.wrap(g1).order(ByteOrder.LITTLE_ENDIAN).putInt(28, 1000);
    assertThat(perf.structureChanged()).isTrue();
  }
}
