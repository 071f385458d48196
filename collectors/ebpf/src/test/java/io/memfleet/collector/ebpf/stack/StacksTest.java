package io.memfleet.collector.ebpf.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.StackTrace;
import java.util.List;
import org.junit.jupiter.api.Test;

class StacksTest {
  private static final List<String> MAPS = List.of(
      "55cf8860d000-55cf8860e000 r--p 00000000 fe:01 11 /tmp/ebpfx/leaky",
      "55cf8860e000-55cf8860f000 r-xp 00001000 fe:01 11 /tmp/ebpfx/leaky",
      "7f5a82700000-7f5a82728000 r--p 00000000 fe:01 22 /usr/lib/x86_64-linux-gnu/libc.so.6",
      "7f5a82728000-7f5a8287d000 r-xp 00028000 fe:01 22 /usr/lib/x86_64-linux-gnu/libc.so.6",
      "7ffd1000-7ffd2000 rw-p 00000000 00:00 0 [stack]");

  @Test
  void symbolsWhereKnownModulePlusOffsetWhereNot() {
    ModuleMap maps = ModuleMap.parse(MAPS);
    assertThat(maps.libc()).hasValueSatisfying(p -> assertThat(p.toString())
        .endsWith("libc.so.6"));
    assertThat(maps.describe(0x55cf8860e1d1L)).isEqualTo("leaky+0x11d1");
    assertThat(maps.describe(0x7f5a82729000L)).isEqualTo("libc.so.6+0x29000");
    assertThat(maps.describe(0x1234)).isEqualTo("[unknown]+0x1234");

    List<Frame> frames = List.of(new Frame(0x7f5a82729000L, null, "/usr/lib/libc.so.6"),
        new Frame(0x55cf8860e1d1L, "leak_blocks", "/tmp/ebpfx/leaky"),
        new Frame(0x99, null, null));
    StackTrace st = Stacks.toStackTrace(frames, maps, 3);
    assertThat(st.getFrames()).containsExactly("libc.so.6+0x29000", "leak_blocks",
        "[unknown]+0x99");
    assertThat(st.getTruncated()).isTrue();
    assertThat(st.getHash()).isEqualTo(Stacks.hash(List.of("libc.so.6+0x29000", "leak_blocks",
        "[unknown]+0x99")));
    assertThat(Stacks.hash(List.of("a", "b"))).isNotEqualTo(Stacks.hash(List.of("ab")))
        .isNotEqualTo(Stacks.hash(List.of("b", "a")));
    assertThat(Stacks.folded(List.of("inner", "outer"))).isEqualTo("outer;inner");
  }

  @Test
  void symbolColumnLosesItsOffset() {
    assertThat(Frame.symbolOf("leak_blocks+24")).isEqualTo("leak_blocks");
    assertThat(Frame.symbolOf("run_loop+0x63")).isEqualTo("run_loop");
    assertThat(Frame.symbolOf("operator new")).isEqualTo("operator new");
    assertThat(Frame.symbolOf("[unknown]")).isNull();
  }
}
