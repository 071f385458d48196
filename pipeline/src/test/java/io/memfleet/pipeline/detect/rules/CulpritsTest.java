package io.memfleet.pipeline.detect.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CulpritsTest {
  @Test
  void theFirstFrameOfTheProgramIsTheCulprit() {
    assertThat(Culprits.frame(List.of("__memset_avx2_unaligned_erms", "malloc",
        "leak_request_buffer", "main"))).isEqualTo("leak_request_buffer");
    assertThat(Culprits.frame(List.of("libc.so.6+0xa5e21", "map_segment", "main")))
        .isEqualTo("map_segment");
    assertThat(Culprits.frame(List.of("runtime.mallocgc", "runtime.growslice",
        "main.(*Cache).Remember", "main.handle"))).isEqualTo("main.(*Cache).Remember");
    assertThat(Culprits.frame(List.of("java.util.Arrays.copyOf:3537",
        "java.util.ArrayList.grow:237", "com.acme.SessionStore.remember:41")))
        .isEqualTo("com.acme.SessionStore.remember:41");
    assertThat(Culprits.frame(List.of("main.waitForReply", "runtime.gopark")))
        .isEqualTo("main.waitForReply");
    // glibc's large-file alias of mmap is the C library too
    assertThat(Culprits.frame(List.of("mmap64", "Java_sun_nio_ch_FileChannelImpl_map0")))
        .isEqualTo("Java_sun_nio_ch_FileChannelImpl_map0");
  }

  @Test
  void aStackOfMachineryOnlyNamesItsInnermostFrame() {
    assertThat(Culprits.frame(List.of("malloc", "libc.so.6+0x2a1ca"))).isEqualTo("malloc");
    assertThat(Culprits.frame(List.of())).isNull();
  }
}
