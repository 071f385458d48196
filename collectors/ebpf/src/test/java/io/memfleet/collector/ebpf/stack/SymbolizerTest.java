package io.memfleet.collector.ebpf.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.localstack.testing.Capabilities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bare addresses (BPFTRACE_NO_USER_SYMBOLS) named from the real libc mapped into this JVM. */
class SymbolizerTest {
  @Test
  void namesBareAddressesFromTheFileMappedThere() throws Exception {
    Path libc = Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6");
    Capabilities.require(Files.isReadable(libc), "glibc at " + libc);
    int self = (int) ProcessHandle.current().pid();
    ModuleMap maps = ModuleMap.read(self);
    ModuleMap.Mapping text = maps.mappings().stream()
        .filter(m -> m.path().endsWith("/libc.so.6") && m.perms().contains("x")).findFirst()
        .orElseThrow();
    assertThat(text.inode()).isPositive();
    long malloc = ElfImageTest.dynamicSymbolValue(libc, "malloc");
    long address = text.start() + malloc - text.offset();
    long nowhere = 0x10L;
    List<Frame> printed = List.of(
        new Frame(address + 4, "0x" + Long.toHexString(address + 4), "[unknown]"),
        new Frame(address + 1, "0x" + Long.toHexString(address + 1), "[unknown]"),
        new Frame(0x1234, "already_named", "/x"),
        new Frame(nowhere, "0x10", "[unknown]"));
    Symbolizer symbolizer = new Symbolizer(new ElfImages(4));
    List<Frame> named = symbolizer.symbolize(printed, maps, Path.of("/proc", "" + self, "root"));
    assertThat(named).extracting(Frame::symbol).containsExactly("malloc", "malloc",
        "already_named", Symbolizer.UNKNOWN);
    assertThat(named.get(0).module()).isEqualTo(text.path());
    assertThat(Stacks.frameNames(named, maps)).containsExactly("malloc", "malloc",
        "already_named", "[unknown]");
    List<Frame> allNamed = List.of(new Frame(1, "f", null));
    assertThat(symbolizer.symbolize(allNamed, maps, Path.of("/"))).isSameAs(allNamed);
    assertThat(Symbolizer.unnamed(new Frame(0xabc, "0xabc", null))).isTrue();
    assertThat(Symbolizer.unnamed(new Frame(0xabc, "0xabd", null))).isFalse();
    assertThat(maps.find(address)).contains(text);
  }
}
