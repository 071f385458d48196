package io.memfleet.collector.ebpf.bpftrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class ProbeEventParserTest {
  private final ProbeEventParser parser = new ProbeEventParser();

  @Test
  void fieldsCommAndStack() {
    ProbeEvent e = parser.parse("mmap ts=12 pid=42 len=4096 comm=my app\n"
        + "\t7f52d3fda9b3 __mmap64+19 (/usr/lib/libc.so.6)\n");
    assertThat(e.name()).isEqualTo("mmap");
    assertThat(e.timestampNs()).isEqualTo(12);
    assertThat(e.pid()).isEqualTo(42);
    assertThat(e.field("comm")).isEqualTo("my app");
    assertThat(e.stack()).singleElement()
        .satisfies(f -> assertThat(f.symbol()).isEqualTo("__mmap64"));
  }

  // found by BpftraceParsersFuzzTest: each field copied the rest of the line, quadratic in its length
  @Test
  void manyFieldsCostLinearAllocation() {
    String line = "mmap ts=1 pid=2" + " a=1".repeat(25_000);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    parser.parse("mmap ts=1 pid=2 a=1"); // warm
    long before = threads.getCurrentThreadAllocatedBytes();
    ProbeEvent e = parser.parse(line);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(e.fields()).hasSize(3);
    assertThat(allocated).isLessThan(64L * line.length());
  }

  // an address of more than 16 hex digits: a bad frame with the parser's message, not a bare
  // NumberFormatException from Long.parseUnsignedLong
  @Test
  void anAddressPastSixtyFourBitsIsABadFrame() {
    assertThatThrownBy(() -> parser.parse("mmap ts=1 pid=2\n\t1ffffffffffffffff f+1 (/x)"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad stack frame");
  }
}
