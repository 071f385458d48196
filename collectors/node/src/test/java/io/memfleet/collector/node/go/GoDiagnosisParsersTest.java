package io.memfleet.collector.node.go;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.collector.node.Golden;
import io.memfleet.collector.node.internal.ListeningSockets;
import io.memfleet.event.MemoryPool;
import io.memfleet.event.PoolUsage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Golden files captured from the Go demo on this machine (Go 1.19.8, see the README next to
 * them): heap and goroutine profiles, expvar with GOGC=200, the process's environ and net/tcp.
 */
class GoDiagnosisParsersTest {

  @Test
  void heapProfileScaledAsPprofDoes() {
    HeapProfile p = HeapProfile.parse(Golden.read("go/heap-debug1-demo.txt"));
    assertThat(p.samplingRate()).isEqualTo(512 * 1024);
    assertThat(p.malformedLines()).isZero();
    HeapProfile.StackUsage top = p.stacks().get(0);
    assertThat(top.frames()).containsExactly("main.leakHeap", "main.main.func2", "main.every");
    // 16 sampled 64 KiB chunks: each sampled with probability 1 - exp(-65536 / 524288)
    double scale = 1 / (1 - Math.exp(-65536.0 / 524288));
    assertThat(top.sampledBytes()).isEqualTo(1048576L);
    assertThat(top.inUseBytes()).isEqualTo((long) (1048576 * scale));
    assertThat(top.inUseObjects()).isEqualTo((long) (16 * scale));
    assertThat(top.truncated()).isFalse();
    // records freed since (0: 0) are not outstanding
    assertThat(p.stacks()).allSatisfy(s -> assertThat(s.inUseBytes()).isPositive());
    // all-runtime stacks keep their runtime frames (there is nothing else to name)
    assertThat(p.stacks()).anyMatch(s -> s.frames().get(0).equals("runtime.malg"));
  }

  @Test
  void theHeapProfilesMemStatsAreTheExpvarPagesFigures() {
    // both pages of the same program within the same second: the GC's figures are equal, the
    // heap in use a little apart (the program allocated between the two requests)
    ExpvarMemStats fromProfile =
        ExpvarMemStats.parseHeapProfile(Golden.read("go/heap-debug1-demo.txt"));
    ExpvarMemStats fromExpvar = ExpvarMemStats.parse(Golden.read("go/expvar-demo-gogc200.json"));
    assertThat(fromProfile.numGc()).isEqualTo(fromExpvar.numGc()).isEqualTo(6);
    assertThat(fromProfile.nextGc()).isEqualTo(fromExpvar.nextGc()).isEqualTo(34809184L);
    assertThat(fromProfile.lastGcEpochNs()).isEqualTo(fromExpvar.lastGcEpochNs());
    assertThat(fromProfile.heapSys()).isEqualTo(fromExpvar.heapSys());
    assertThat(fromProfile.stackInuse()).isEqualTo(fromExpvar.stackInuse());
    assertThat(fromProfile.pauseNs()).hasSize(256).containsExactly(fromExpvar.pauseNs());
    assertThat(fromProfile.pauseEnd()).containsExactly(fromExpvar.pauseEnd());
    assertThat(fromProfile.pausesAfter(4)).isEqualTo(fromExpvar.pausesAfter(4));
    assertThat(fromProfile.runtime().gcSys()).isEqualTo(8579296L);
    assertThat(fromProfile.runtime().mSpanSys()).isEqualTo(178992L);
    assertThat(fromProfile.heapAlloc()).isEqualTo(21444544L)
        .isCloseTo(fromExpvar.heapAlloc(), org.assertj.core.data.Percentage.withPercentage(5));
    assertThat(fromProfile.pauseTotalNs()).as("the sum of the buffer: not on the page")
        .isEqualTo(1906142L + 20310 + 48864 + 34421 + 21773 + 47171);
  }

  @Test
  void aHeapProfileWithoutItsMemStatsOrWithABadFigureIsRefusedWithTheReason() {
    String page = Golden.read("go/heap-debug1-demo.txt");
    assertThatThrownBy(() -> ExpvarMemStats.parseHeapProfile(
        page.substring(0, page.indexOf("# runtime.MemStats"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no runtime.MemStats");
    assertThatThrownBy(() -> ExpvarMemStats.parseHeapProfile(
        page.replace("# NextGC = 34809184", "# NextGC = 3.4e7")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NextGC");
    assertThatThrownBy(() -> ExpvarMemStats.parseHeapProfile(
        page.replace("# Stack = 819200 / 819200", "# Stack = 819200")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Stack");
  }

  @Test
  void heapProfileTopNSumsTheRest() {
    HeapProfile p = HeapProfile.parse(Golden.read("go/heap-debug1-demo.txt"));
    List<HeapProfile.StackUsage> top = p.top(1);
    assertThat(top).hasSize(2);
    assertThat(top.get(1).frames()).containsExactly(GoStacks.OTHER_STACKS);
    long rest = p.stacks().subList(1, p.stacks().size()).stream()
        .mapToLong(HeapProfile.StackUsage::inUseBytes).sum();
    assertThat(top.get(1).inUseBytes()).isEqualTo(rest);
    assertThat(p.top(100)).isEqualTo(p.stacks());
  }

  @Test
  void heapProfileMalformed() {
    assertThatThrownBy(() -> HeapProfile.parse("<html>404</html>"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HeapProfile.parse("")).isInstanceOf(IllegalArgumentException.class);
    HeapProfile p = HeapProfile.parse("heap profile: 1: 2 [3: 4] @ heap/1048576\n"
        + "garbage line\n1: 4096 [1: 4096] @ 0x1\n#\t0x1\tmain.f+0x1\tx.go:1\n"
        + "#\t0x2\n99999999999999999999: 1 [1: 1] @ 0x1\n");
    assertThat(p.malformedLines()).isEqualTo(2);
    assertThat(p.stacks()).hasSize(1);
    assertThat(p.stacks().get(0).frames()).containsExactly("main.f", "0x2");
    assertThat(HeapProfile.scale(0, 0, 524288)).containsExactly(0, 0);
    assertThat(HeapProfile.scale(3, 300, 1)).containsExactly(3, 300);
  }

  @Test
  void goroutineGroupsByStack() {
    GoroutineProfile.Groups g = GoroutineProfile.groups(
        Golden.read("go/goroutine-debug1-demo.txt"), 16);
    assertThat(g.malformedLines()).isZero();
    assertThat(g.groups().get(0).count()).isEqualTo(101);
    assertThat(g.groups().get(0).frames()).containsExactly("main.leakGoroutine.func1");
    assertThat(g.groups().get(1).frames()).containsExactly("time.Sleep", "main.burst.func1");
    assertThat(g.groups().stream().mapToLong(GoroutineProfile.Group::count).sum())
        .isEqualTo(139); // the total
    GoroutineProfile.Groups two = GoroutineProfile.groups(
        Golden.read("go/goroutine-debug1-demo.txt"), 2);
    assertThat(two.groups()).hasSize(3);
    assertThat(two.groups().get(2).frames()).containsExactly(GoStacks.OTHER_STACKS);
    assertThat(two.groups().get(2).count()).isEqualTo(139 - 101 - 28);
  }

  @Test
  void goroutineGroupsWithoutGctrace() {
    String body = Golden.read("go/goroutine-debug1-nogctrace.txt");
    GoroutineProfile.Groups g = GoroutineProfile.groups(body, 16);
    assertThat(g.groups().get(0).frames()).containsExactly("main.leakGoroutine.func1");
    assertThat(g.groups().stream().mapToLong(GoroutineProfile.Group::count).sum())
        .isEqualTo(GoroutineProfile.total(body).getAsLong());
  }

  @Test
  void goroutineMalformedAndLabels() {
    GoroutineProfile.Groups g = GoroutineProfile.groups("goroutine profile: total 3\n"
        + "2 @ 0x1 0x2\n# labels: {\"k\":\"v\"}\n#\t0x1\tmain.wait+0x1\ta.go:1\n\n"
        + "what is this\n1 @ 0x3\n#\t0x3\tmain.other+0x5\tb.go:2\n", 16);
    assertThat(g.malformedLines()).isEqualTo(1);
    assertThat(g.groups()).extracting(GoroutineProfile.Group::count).containsExactly(2L, 1L);
    assertThat(g.groups().get(0).frames()).containsExactly("main.wait");
  }

  @Test
  void environmentOfTheDemo() {
    GoEnvironment env = GoEnvironment.parse(
        Golden.read("go/demo-gogc200.environ").getBytes(StandardCharsets.UTF_8));
    assertThat(env.gogcPercent()).hasValue(200);
    assertThat(env.memoryLimitBytes()).hasValue(256L << 20);
    assertThat(env.gctrace()).isFalse();
    assertThat(env.settings()).containsExactly(Map.entry("GOGC", "200"),
        Map.entry("GOMEMLIMIT", "256MiB"), Map.entry("GOMAXPROCS", "2"));
  }

  @Test
  void environmentValuesAsTheRuntimeReadsThem() {
    assertThat(env("GOGC=off").gogcPercent()).isEmpty();
    assertThat(env("GOGC=-1").gogcPercent()).isEmpty();
    assertThat(env("GOGC=abc").gogcPercent()).hasValue(100);
    assertThat(env("PATH=/bin").gogcPercent()).hasValue(100);
    assertThat(env("PATH=/bin").settings()).containsExactly(Map.entry("GOGC", "100"));
    assertThat(env("GOMEMLIMIT=1GiB").memoryLimitBytes()).hasValue(1L << 30);
    assertThat(env("GOMEMLIMIT=4096").memoryLimitBytes()).hasValue(4096);
    assertThat(env("GOMEMLIMIT=4096B").memoryLimitBytes()).hasValue(4096);
    assertThat(env("GOMEMLIMIT=off").memoryLimitBytes()).isEmpty();
    assertThat(env("GOMEMLIMIT=1GB").memoryLimitBytes()).isEmpty(); // not a Go suffix
    assertThat(env("GOMEMLIMIT=99999999999TiB").memoryLimitBytes()).isEmpty();
    assertThat(env("GODEBUG=madvdontneed=1,gctrace=1").gctrace()).isTrue();
    assertThat(env("GODEBUG=gctrace=0").gctrace()).isFalse();
  }

  private static GoEnvironment env(String entry) {
    return GoEnvironment.parse((entry + "\0").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void poolsAndLiveEstimateFromExpvar() {
    ExpvarMemStats m = ExpvarMemStats.parse(Golden.read("go/expvar-demo-gogc200.json"));
    Map<MemoryPool, PoolUsage> pools = GoMemoryPools.of(m, OptionalLong.of(300),
        OptionalLong.of(256L << 20)).stream()
        .collect(Collectors.toMap(PoolUsage::getPool, p -> p));
    assertThat(pools.get(MemoryPool.HEAP).getUsedBytes()).isEqualTo(22251776L);
    assertThat(pools.get(MemoryPool.HEAP).getCommittedBytes()).isEqualTo(m.heapSys());
    assertThat(pools.get(MemoryPool.HEAP).getLimitBytes()).isEqualTo(256L << 20);
    assertThat(pools.get(MemoryPool.HEAP_RELEASED).getUsedBytes()).isEqualTo(m.heapReleased());
    assertThat(pools.get(MemoryPool.GOROUTINE_STACKS).getCount()).isEqualTo(300L);
    assertThat(pools.get(MemoryPool.GOROUTINE_STACKS).getUsedBytes()).isEqualTo(m.stackInuse());
    ExpvarMemStats.RuntimeSys r = m.runtime();
    assertThat(r.gcSys()).isPositive();
    assertThat(pools.get(MemoryPool.GC_METADATA).getUsedBytes())
        .isEqualTo(r.gcSys() + r.mSpanInuse() + r.mCacheInuse());
    assertThat(pools.get(MemoryPool.RUNTIME_OTHER).getUsedBytes())
        .isEqualTo(r.otherSys() + r.buckHashSys());
    // the pools account for the runtime's whole footprint but idle span/cache memory
    long sum = pools.get(MemoryPool.HEAP).getCommittedBytes() + r.stackSys()
        + pools.get(MemoryPool.GC_METADATA).getCommittedBytes() + r.otherSys() + r.buckHashSys();
    assertThat(sum).isEqualTo(m.sys());

    assertThat(m.nextGc()).isEqualTo(34809184L);
    assertThat(GoMemoryPools.estimatedLiveBytes(m.nextGc(), OptionalInt.of(200)))
        .hasValue(Math.round(34809184 / 3.0));
    assertThat(GoMemoryPools.estimatedLiveBytes(m.nextGc(), OptionalInt.empty())).isEmpty();
    assertThat(GoMemoryPools.estimatedLiveBytes(m.nextGc(), OptionalInt.of(0))).isEmpty();
    // goal 33.2 MiB, 11.1 MiB outside the heap: a 45 MiB limit caps the goal there, 60 does not
    assertThat(GoMemoryPools.goalSetByMemoryLimit(m, OptionalLong.of(45L << 20))).isTrue();
    assertThat(GoMemoryPools.goalSetByMemoryLimit(m, OptionalLong.of(60L << 20))).isFalse();
    assertThat(GoMemoryPools.goalSetByMemoryLimit(m, OptionalLong.of(30L << 20))).isTrue();
    assertThat(GoMemoryPools.goalSetByMemoryLimit(m, OptionalLong.empty())).isFalse();
  }

  @Test
  void listeningSocketsOfTheDemo() {
    List<ListeningSockets.Listener> all =
        ListeningSockets.parse(Golden.read("procfs/go-demo.net.tcp"));
    ListeningSockets.Listener demo = all.stream().filter(l -> l.inode().equals("79949"))
        .findFirst().orElseThrow();
    assertThat(demo.address()).isEqualTo("127.0.0.1");
    assertThat(demo.port()).isEqualTo(36993);
    assertThat(demo.loopback()).isTrue();
    assertThat(demo.probeHost()).isEqualTo("127.0.0.1");
    List<ListeningSockets.Listener> v6 = ListeningSockets.parse(
        "  sl  local_address                         remote_address                        st\n"
        + "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000"
        + " 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0 100 0 0 10 0\n"
        + "   1: 00000000000000000000000001000000:1F91 00000000000000000000000000000000:0000"
        + " 0A 00000000:00000000 00:00000000 00000000     0        0 1235 1 0 100 0 0 10 0\n"
        + "   2: 0000000000000000FFFF00000100007F:1F92 00000000000000000000000000000000:0000"
        + " 0A 00000000:00000000 00:00000000 00000000     0        0 1236 1 0 100 0 0 10 0\n"
        + "   3: bogus\n");
    assertThat(v6).extracting(ListeningSockets.Listener::probeHost)
        .containsExactly("127.0.0.1", "[::1]", "127.0.0.1");
    assertThat(v6).extracting(ListeningSockets.Listener::port).containsExactly(8080, 8081, 8082);
  }
}
