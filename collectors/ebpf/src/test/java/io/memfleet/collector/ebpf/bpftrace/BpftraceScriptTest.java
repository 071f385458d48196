package io.memfleet.collector.ebpf.bpftrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BpftraceScriptTest {
  static Map<String, String> values() {
    Map<String, String> v = new HashMap<>();
    v.put("LIBC", "/usr/lib/x86_64-linux-gnu/libc.so.6");
    v.put("PID", "42");
    v.put("SAMPLE_EVERY", "10");
    v.put("MIN_SIZE", "65536");
    v.put("STACK_DEPTH", "16");
    v.put("STATS_SECONDS", "5");
    v.put("CHANGE_BYTES", "1048576");
    v.put("INTERVAL_SECONDS", "5");
    v.put("SELF_PID", "7");
    v.put("BUDGET", "250");
    v.put("THREAD_SIZE", "16384");
    v.put("BTF", "1");
    return v;
  }

  @Test
  void everyScriptRendersWithoutLeftoverPlaceholders() {
    for (BpftraceScript s : BpftraceScript.values()) {
      String text = s.render(values());
      assertThat(text).doesNotContain("${");
      if (s.perProcess()) {
        assertThat(text).contains("pid == 42");
      }
    }
    assertThat(BpftraceScript.MALLOC.placeholders())
        .containsExactlyInAnyOrder("LIBC", "PID", "SAMPLE_EVERY", "MIN_SIZE", "STACK_DEPTH",
            "STATS_SECONDS");
    assertThat(BpftraceScript.OOM.placeholders()).isEmpty();
  }

  @Test
  void hostWideScriptsLeaveOutTheCollectorAndItsChildren() {
    Map<String, String> v = values();
    v.put("PID", "0");
    for (BpftraceScript s : new BpftraceScript[] {BpftraceScript.MMAP, BpftraceScript.FAULTS}) {
      String text = s.render(v);
      assertThat(s.needsPid()).isFalse();
      assertThat(text).contains("(0 != 0 && pid == 0) || (0 == 0 && pid != 0 && pid != 7"
          + " && comm != \"bpftrace\" && comm != \"perf\")");
    }
    assertThat(BpftraceScript.MALLOC.needsPid()).isTrue();
    assertThat(BpftraceScript.RSS.needsPid()).isTrue();
    assertThat(BpftraceScript.FAULTS.render(v)).contains("@printed[cpu] >= 250")
        .contains("faultstats");
  }

  @Test
  void btfLinesAreKeptOrDroppedByTheirCondition() {
    Map<String, String> v = values();
    assertThat(BpftraceScript.MMAP.placeholders()).contains("BTF", "THREAD_SIZE", "SELF_PID");
    String withBtf = BpftraceScript.MMAP.render(v);
    assertThat(withBtf).contains("curtask->stack + 16384").doesNotContain("//@if")
        .doesNotContain("$sp = (uint64)0;");
    v.put("BTF", "0");
    String without = BpftraceScript.MMAP.render(v);
    assertThat(without).doesNotContain("curtask").contains("$sp = (uint64)0;")
        .doesNotContain("//@if");
    v.remove("BTF");
    assertThatThrownBy(() -> BpftraceScript.MMAP.render(v)).hasMessageContaining("//@if BTF");
  }

  @Test
  void missingAndUnsafeValuesAreRejected() {
    Map<String, String> v = values();
    v.remove("PID");
    assertThatThrownBy(() -> BpftraceScript.MALLOC.render(v)).hasMessageContaining("${PID}");
    Map<String, String> bad = values();
    bad.put("PID", "1/ { system(\"x\") }");
    assertThatThrownBy(() -> BpftraceScript.MALLOC.render(bad)).hasMessageContaining("unsafe");
  }

  @Test
  void byIdNamesTheKnownScripts() {
    assertThat(BpftraceScript.byId(" MMAP")).isEqualTo(BpftraceScript.MMAP);
    assertThatThrownBy(() -> BpftraceScript.byId("heap")).hasMessageContaining("known");
  }
}
