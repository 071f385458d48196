package io.memfleet.pipeline.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.event.Runtime;
import io.memfleet.pipeline.model.TimedEvent;
import org.junit.jupiter.api.Test;

/** What the join remembers of a process's identity across sources and across an exec. */
class ProcessInfoTest {

  private static TimedEvent event(String comm, Runtime runtime) {
    TimedEvent e = new TimedEvent();
    e.comm = comm;
    e.runtime = runtime;
    return e;
  }

  @Test
  void aManagedRuntimeSeenAfterNativeWinsWithItsName() {
    ProcessInfo info = new ProcessInfo();
    assertThat(info.learnFrom(event("sh", Runtime.NATIVE))).isTrue();
    assertThat(info.learnFrom(event("leaky-go", Runtime.GO))).isTrue();
    assertThat(info.runtime).isEqualTo(Runtime.GO);
    assertThat(info.comm).isEqualTo("leaky-go");
  }

  @Test
  void aKnownRuntimeIsNotUndoneByNativeOrUnknown() {
    ProcessInfo info = new ProcessInfo();
    info.learnFrom(event("java", Runtime.JVM));
    assertThat(info.learnFrom(event("java", Runtime.NATIVE))).isFalse();
    assertThat(info.learnFrom(event(null, Runtime.UNKNOWN))).isFalse();
    assertThat(info.learnFrom(event("go", Runtime.GO))).isFalse();
    assertThat(info.runtime).isEqualTo(Runtime.JVM);
    assertThat(info.comm).isEqualTo("java");
  }

  @Test
  void unknownIsFilledByAnyKnownRuntime() {
    ProcessInfo info = new ProcessInfo();
    info.learnFrom(event("app", Runtime.UNKNOWN));
    assertThat(info.learnFrom(event("app", Runtime.NATIVE))).isTrue();
    assertThat(info.runtime).isEqualTo(Runtime.NATIVE);
    assertThat(info.comm).isEqualTo("app");
  }

  @Test
  void eventsThatCallAManagedProcessNativeAreToldItsRuntime() {
    ProcessInfo info = new ProcessInfo();
    info.learnFrom(event("java", Runtime.NATIVE)); // eBPF read it before libjvm.so was loaded
    info.learnFrom(event("java", Runtime.JVM)); // the node collector, JFR
    TimedEvent ebpf = event("java", Runtime.NATIVE);
    info.enrich(ebpf);
    assertThat(ebpf.runtime).isEqualTo(Runtime.JVM);
    TimedEvent unknown = event(null, Runtime.UNKNOWN);
    info.enrich(unknown);
    assertThat(unknown.runtime).isEqualTo(Runtime.JVM);
    assertThat(unknown.comm).isEqualTo("java");

    ProcessInfo nativeProcess = new ProcessInfo();
    nativeProcess.learnFrom(event("proxy", Runtime.NATIVE));
    TimedEvent c = event("proxy", Runtime.NATIVE);
    nativeProcess.enrich(c);
    assertThat(c.runtime).isEqualTo(Runtime.NATIVE);
  }
}
