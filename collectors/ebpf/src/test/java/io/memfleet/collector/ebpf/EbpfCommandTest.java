package io.memfleet.collector.ebpf;

import io.memfleet.collector.DurationConverter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.collector.ebpf.bpftrace.BpftraceScript;
import io.memfleet.collector.ebpf.track.ProcessScope;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    var host = io.memfleet.collector.ebpf.overhead.TracingMode.HOST_WIDE;
    assertThat(host.flags(7)).isEmpty();
    assertThat(host.options(7).scope()).isEqualTo(ProcessScope.host());
  }

  @Test
  void withoutPidTheDefaultsTraceTheHostAndMallocStillNeedsAPid() {
    EbpfCommand cmd = new EbpfCommand();
    new CommandLine(cmd).parseArgs("--proc-root", "/host/proc", "--cgroup-root",
        "/host/sys/fs/cgroup");
    cmd.ebpf.validate();
    assertThat(cmd.ebpf.scope()).isEqualTo(ProcessScope.host());
    assertThat(cmd.ebpf.procRoot()).isEqualTo(Path.of("/host/proc"));
    assertThat(cmd.ebpf.cgroupRoot()).isEqualTo(Path.of("/host/sys/fs/cgroup"));
    assertThat(cmd.ebpf.scriptList()).containsExactly(BpftraceScript.MMAP, BpftraceScript.FAULTS,
        BpftraceScript.OOM);
    assertThat(cmd.ebpf.faultWindow()).isEqualTo(Duration.ofSeconds(1));
    assertThat(cmd.ebpf.maxFaultEvents()).isEqualTo(200);
    assertThat(cmd.ebpf.maxProcesses()).isEqualTo(1024);

    EbpfCommand cgroups = new EbpfCommand();
    new CommandLine(cgroups).parseArgs("--cgroup", "/kubepods.slice,/system.slice/a.service",
        "--cgroup", "/team");
    cgroups.ebpf.validate();
    assertThat(cgroups.ebpf.scope()).isEqualTo(ProcessScope.cgroups(List.of("/kubepods.slice",
        "/system.slice/a.service", "/team")));
    assertThat(new EbpfOptions().pid(9).scope()).isEqualTo(ProcessScope.process(9));

    assertThatThrownBy(new EbpfOptions().scripts("malloc")::validate)
        .hasMessageContaining("--pid is required for scripts [malloc]");
    assertThatThrownBy(new EbpfOptions().scripts("mmap,rss")::validate)
        .hasMessageContaining("[rss]");
    assertThatThrownBy(new EbpfOptions().pid(3).cgroups(List.of("/a"))::validate)
        .hasMessageContaining("exclude each other");
    assertThatThrownBy(new EbpfOptions().cgroups(List.of("kubepods"))::validate)
        .hasMessageContaining("starting with '/'");
    assertThatThrownBy(new EbpfOptions().maxFaultEvents(0)::validate)
        .hasMessageContaining("--max-fault-events");
  }

  @Test
  void perProcessScriptsNeedAPid() {
    new EbpfOptions().scripts("mmap").validate();
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
