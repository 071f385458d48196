package io.memfleet.collector.ebpf;

import io.memfleet.collector.DurationConverter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.collector.ebpf.bpftrace.BpftraceScript;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EbpfCommandTest {
  @Test
  void optionsParseAndValidate() {
    EbpfCommand cmd = new EbpfCommand();
    new CommandLine(cmd).parseArgs("--pid", "42", "--scripts", "malloc,oom", "--sample-every",
        "5", "--min-size", "1m", "--min-age", "500ms", "--kafka-bootstrap", "h:1");
    cmd.ebpf.validate();
    assertThat(cmd.ebpf.pid()).isEqualTo(42);
    assertThat(cmd.ebpf.scriptList()).containsExactly(BpftraceScript.MALLOC, BpftraceScript.OOM);
    assertThat(cmd.ebpf.sampleEvery()).isEqualTo(5);
    assertThat(cmd.ebpf.minSize()).isEqualTo(1 << 20);
    assertThat(cmd.ebpf.minAge()).isEqualTo(Duration.ofMillis(500));
    assertThat(cmd.common.kafkaBootstrap()).isEqualTo("h:1");
  }

  @Test
  void defaultsPutNoProbeOnTheAllocatorAndMallocStaysOptIn() {
    EbpfCommand cmd = new EbpfCommand();
    new CommandLine(cmd).parseArgs("--pid", "42");
    cmd.ebpf.validate();
    assertThat(cmd.ebpf.scriptList()).containsExactly(BpftraceScript.MMAP, BpftraceScript.FAULTS,
        BpftraceScript.OOM);
    assertThat(new EbpfOptions().scriptList()).isEqualTo(cmd.ebpf.scriptList());
    // what the launcher's demo fleet and the end-to-end test pass: unchanged meaning
    EbpfCommand demo = new EbpfCommand();
    new CommandLine(demo).parseArgs("--pid", "42", "--scripts", "malloc,mmap,rss", "--min-age",
        "10s");
    demo.ebpf.validate();
    assertThat(demo.ebpf.scriptList()).containsExactly(BpftraceScript.MALLOC,
        BpftraceScript.MMAP, BpftraceScript.RSS);
    assertThat(demo.ebpf.sampleEvery()).isEqualTo(10);
    assertThat(demo.ebpf.minSize()).isEqualTo(65536);
  }

  @Test
  void overheadModesAreTheFlagsAUserTypes() {
    var mode = io.memfleet.collector.ebpf.overhead.TracingMode.EVERY_CALL;
    assertThat(mode.flags(7)).containsExactly("--pid", "7", "--scripts",
        "malloc,mmap,faults,oom", "--sample-every", "1");
    assertThat(mode.options(7).sampleEvery()).isEqualTo(1);
    assertThat(io.memfleet.collector.ebpf.overhead.TracingMode.DEFAULT.options(7).scriptList())
        .doesNotContain(BpftraceScript.MALLOC);
  }

  @Test
  void perProcessScriptsNeedAPid() {
    EbpfOptions o = new EbpfOptions().scripts("mmap");
    assertThatThrownBy(o::validate).hasMessageContaining("--pid");
    new EbpfOptions().scripts("oom").validate();
    assertThatThrownBy(() -> new EbpfOptions().pid(1).sampleEvery(0).validate())
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(DurationConverter.parse("PT2S")).isEqualTo(Duration.ofSeconds(2));
    assertThat(DurationConverter.parse("3m")).isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void perfOptions() {
    EbpfCommand cmd = new EbpfCommand();
    new CommandLine(cmd).parseArgs("--pid", "42", "--scripts", "none", "--perf",
        "faults,malloc,faults", "--perf-period", "7", "--perf-round", "3s");
    cmd.ebpf.validate();
    assertThat(cmd.ebpf.scriptList()).isEmpty();
    assertThat(cmd.ebpf.perfEvents()).containsExactly(EbpfOptions.PerfEvent.FAULTS,
        EbpfOptions.PerfEvent.MALLOC);
    assertThat(cmd.ebpf.perfEvents()).extracting(EbpfOptions.PerfEvent::perfName)
        .containsExactly("page-faults", "probe_libc:malloc");
    assertThat(cmd.ebpf.perfPeriod()).isEqualTo(7);
    assertThat(cmd.ebpf.perfRound()).isEqualTo(Duration.ofSeconds(3));
    assertThat(new EbpfOptions().perfEvents()).isEmpty();
    assertThatThrownBy(() -> new EbpfOptions().scripts("none").validate())
        .hasMessageContaining("chose nothing");
    assertThatThrownBy(() -> new EbpfOptions().scripts("oom").perf("faults").validate())
        .hasMessageContaining("--pid is required for --perf");
    assertThatThrownBy(() -> new EbpfOptions().perf("cycles").perfEvents())
        .hasMessageContaining("unknown --perf event");
    assertThatThrownBy(() -> new EbpfOptions().pid(1).perf("faults")
        .perfRound(Duration.ofMillis(10)).validate()).hasMessageContaining("--perf-round");
  }

  @Test
  void badOptionsExitWithTwo() {
    int code = new CommandLine(new EbpfCommand()).execute("--scripts", "malloc");
    assertThat(code).isEqualTo(2);
  }
}
