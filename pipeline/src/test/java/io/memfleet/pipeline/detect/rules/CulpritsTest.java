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
  void goStandardLibraryFramesBuildingWhatTheProgramAskedForAreNotTheCulprit() {
    // seen: a Go map leak named strings.Repeat (its stack from the eBPF page faults)
    assertThat(Culprits.frame(List.of("runtime.mallocgc", "runtime.makeslice", "strings.Repeat",
        "main.record", "main.main"))).isEqualTo("main.record");
    assertThat(Culprits.frame(List.of("encoding/json.(*decodeState).literalStore",
        "encoding/json.(*decodeState).object", "github.com/acme/feed.(*Store).Add")))
        .isEqualTo("github.com/acme/feed.(*Store).Add");
    // a Java frame of a package that happens to share a Go package's name stays the program's
    assertThat(Culprits.frame(List.of("java.util.HashMap.put:612", "maps.Registry.add:17")))
        .isEqualTo("maps.Registry.add:17");
  }

  @Test
  void aCxxNameIsShownDemangled() {
    assertThat(Culprits.frame(List.of("_int_malloc", "_Znwm"))).isEqualTo(
        "operator new(unsigned long)");
    assertThat(Culprits.frame(List.of("_int_malloc", "_Znam", "_Z12open_sessionl", "main")))
        .isEqualTo("open_session");
    // seen: a C++ program's vector growing, its stack recovered past libstdc++ to main
    assertThat(Culprits.frame(List.of("_ZNSt6vectorIPNSt7__cxx1112basic_stringIcSt11char_traits"
        + "IcESaIcEEESaIS6_EE17_M_realloc_insertIJRKS6_EEEvN9__gnu_cxx17__normal_iteratorIPS6_S8_"
        + "EEDpOT_", "main"))).isEqualTo("main");
    assertThat(Culprits.demangle("_ZN10CodeBuffer16relocate_code_toEPS_"))
        .isEqualTo("CodeBuffer::relocate_code_to");
    assertThat(Culprits.demangle("_ZN7nmethodC2EP6Method")).isEqualTo("nmethod::nmethod");
    assertThat(Culprits.demangle("_ZNK5Index4findERKSs")).isEqualTo("Index::find");
    assertThat(Culprits.demangle("_ZNSt6vectorIiSaIiEE9push_backERKi"))
        .isEqualTo("std::vector<…>");
    assertThat(Culprits.demangle("_ZSt4cout")).isEqualTo("std::cout");
    assertThat(Culprits.demangle("_Z99short")).as("a length past the name").isEqualTo("_Z99short");
    assertThat(Culprits.demangle("leak_request_buffer")).isEqualTo("leak_request_buffer");
  }

  @Test
  void aStackThatEndsInTheAllocatorLostTheProgramsCaller() {
    // built without frame pointers: nothing beyond the C library's or libstdc++'s entry
    assertThat(Culprits.callerLost(List.of("_int_malloc", "_Znwm"))).isTrue();
    assertThat(Culprits.callerLost(List.of("__strdup"))).isTrue();
    assertThat(Culprits.callerLost(List.of("malloc", "leak_request_buffer", "main"))).isFalse();
    assertThat(Culprits.callerLost(List.of("_int_malloc", "_Znwm", "_Z12open_sessionl")))
        .isFalse();
    assertThat(Culprits.callerLost(List.of("runtime.mallocgc", "main.record"))).isFalse();
    assertThat(Culprits.callerLost(List.of())).isFalse();
  }

  @Test
  void aStackOfMachineryOnlyNamesItsInnermostFrame() {
    assertThat(Culprits.frame(List.of("malloc", "libc.so.6+0x2a1ca"))).isEqualTo("malloc");
    assertThat(Culprits.frame(List.of())).isNull();
  }

  @Test
  void aStackWithoutOneNamedFrameIsNameless() {
    assertThat(Culprits.nameless(List.of("[unknown]", "[unknown]", "[unknown]"))).isTrue();
    assertThat(Culprits.nameless(List.of("libc.so.6+0x9a3f1", "[unknown]"))).isTrue();
    assertThat(Culprits.nameless(List.of("[unknown]", "append_line", "main"))).isFalse();
    assertThat(Culprits.nameless(List.of("__strdup"))).isFalse();
  }

  @Test
  void cgosCMallocIsNamedAsSuchWhenNoProgramFrameIsBesideIt() {
    // a Go forwarder's C.CString copies never freed: the unwinder starts in C on the system stack
    List<String> cgo = List.of("sysmalloc", "_cgo_69d6d21e8f1e_Cfunc__Cmalloc",
        "runtime.entersyscall_sysmon", "runtime.systemstack.abi0");
    assertThat(Culprits.cgoAllocation(cgo)).isTrue();
    assertThat(Culprits.ownFrame(cgo)).isEqualTo("_cgo_69d6d21e8f1e_Cfunc__Cmalloc");
    assertThat(Culprits.frame(cgo)).isEqualTo("C.malloc (cgo)");
    // a C function of the program called through cgo is named, not its wrapper
    List<String> own = List.of("malloc", "encode_batch", "_cgo_69d6d21e8f1e_Cfunc_encode_batch");
    assertThat(Culprits.cgoAllocation(own)).isFalse();
    assertThat(Culprits.frame(own)).isEqualTo("encode_batch");
  }
}
