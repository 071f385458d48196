package io.memfleet.collector.ebpf.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.ProcessIdentities;
import io.memfleet.collector.ebpf.stack.Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a traced process's mappings are read again to place frames in new libraries. */
class TracedProcessModulesTest {
  private static final String PROGRAM =
      "55db66444000-55db66445000 r-xp 00001000 fe:01 1234   /tmp/segment_leak\n";
  private static final String LIBC =
      "7f52d3f00000-7f52d4000000 r-xp 00026000 fe:01 5678   /usr/lib/x86_64-linux-gnu/libc.so.6\n";
  private static final String LIBM =
      "7f52d5000000-7f52d5100000 r-xp 00010000 fe:01 5679   /usr/lib/x86_64-linux-gnu/libm.so.6\n";
  @TempDir Path dir;

  @Test
  void aProcessFirstReadBeforeTheLoaderMappedLibcNamesItsFirstLibcFrame() throws Exception {
    new FakeProc(dir).process(400, 1, "segment_leak", 0, 4000, "/", "");
    Path maps = dir.resolve("400/maps");
    Files.writeString(maps, PROGRAM); // read at exec: the loader has not mapped libc yet
    TracedProcess p = TracedProcesses.builder()
        .identities(ProcessIdentities.builder().cluster("c").node("n").procRoot(dir).build())
        .procRoot(dir).scope(ProcessScope.host()).selfPid(1).maxProcesses(4).build()
        .get(400).orElseThrow();
    assertThat(p.modulesFor(List.of(new Frame(0x55db66444100L, null, null))).mappings())
        .hasSize(1);

    Files.writeString(maps, PROGRAM + LIBC); // milliseconds later
    Frame inMmap = new Frame(0x7f52d3fda9b3L, null, null);
    assertThat(p.modulesFor(List.of(inMmap)).find(inMmap.address())).as("at once, not in 1 s")
        .hasValueSatisfying(m -> assertThat(m.path()).endsWith("libc.so.6"));

    // later reads are rate-limited (a JVM's JIT frames are in no file, and its maps are long)
    Files.writeString(maps, PROGRAM + LIBC + LIBM);
    Frame inLibm = new Frame(0x7f52d5000100L, null, null);
    assertThat(p.modulesFor(List.of(inLibm)).find(inLibm.address())).isEmpty();
  }
}
