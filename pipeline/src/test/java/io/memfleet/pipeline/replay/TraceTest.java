package io.memfleet.pipeline.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.pipeline.model.RawRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceTest {
  @TempDir Path dir;

  @Test
  void recordsRoundTripInOrderWithNullKeysAndValues() throws Exception {
    Path file = dir.resolve("t.mftrace");
    List<RawRecord> written = List.of(
        RawRecord.of("memfleet.events.jfr", 0, 7L, 1_700_000_000_000L, new byte[] {1, 2},
            new byte[] {(byte) 0xC3, 0x01, 9}),
        RawRecord.of("memfleet.clock", 2, 8L, 1_700_000_000_001L, null, null),
        RawRecord.of("memfleet.events.procfs", 1, 9L, 1_700_000_000_002L, new byte[0],
            new byte[1000]));
    try (Trace.Writer w = Trace.writer(file)) {
      for (RawRecord r : written) {
        w.write(r);
      }
      assertThat(w.records()).isEqualTo(3);
    }
    assertThat(readAll(file)).isEqualTo(written);
  }

  @Test
  void tracesRecordedOneAfterAnotherJoinInOrderAndOutOfOrderOnesAreRefused() throws Exception {
    Path first = dir.resolve("batch-1.mftrace");
    Path second = dir.resolve("batch-2.mftrace");
    try (Trace.Writer w = Trace.writer(first)) {
      w.write(RawRecord.of("a", 0, 1L, 1_000L, null, new byte[] {1}));
      w.write(RawRecord.of("a", 0, 2L, 2_000L, null, new byte[] {2}));
    }
    try (Trace.Writer w = Trace.writer(second)) {
      w.write(RawRecord.of("a", 0, 3L, 2_500L, null, new byte[] {3}));
    }
    Path joined = dir.resolve("joined.mftrace");
    assertThat(Trace.join(List.of(first, second), joined)).isEqualTo(3);
    assertThat(readAll(joined)).extracting(r -> r.offset).containsExactly(1L, 2L, 3L);
    assertThatThrownBy(() -> Trace.join(List.of(second, first), dir.resolve("wrong.mftrace")))
        .isInstanceOf(IOException.class).hasMessageContaining("batch-1.mftrace begins")
        .hasMessageContaining("before " + second);
  }

  @Test
  void aTraceCutInTheMiddleOfARecordReadsToTheLastWholeRecord() throws Exception {
    Path whole = dir.resolve("whole.mftrace");
    try (Trace.Writer w = Trace.writer(whole)) {
      w.write(RawRecord.of("a", 0, 1L, 1L, null, new byte[] {1}));
      w.write(RawRecord.of("a", 0, 2L, 2L, null, new byte[100]));
    }
    byte[] plain = new java.util.zip.GZIPInputStream(Files.newInputStream(whole)).readAllBytes();
    Path cut = dir.resolve("cut.mftrace");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(cut))) {
      out.write(plain, 0, plain.length - 40);
    }
    assertThat(readAll(cut)).hasSize(1);
  }

  @Test
  void aFileThatIsNotATraceOrClaimsHugeRecordsIsRefusedWithItsName() throws Exception {
    Path text = dir.resolve("notes.txt");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(text))) {
      out.write("hello, not a trace".getBytes());
    }
    assertThatThrownBy(() -> Trace.reader(text)).isInstanceOf(IOException.class)
        .hasMessageContaining("notes.txt").hasMessageContaining("not a memfleet trace");

    Path huge = dir.resolve("huge.mftrace");
    try (var out = new java.io.DataOutputStream(new GZIPOutputStream(
        Files.newOutputStream(huge)))) {
      out.write(Trace.MAGIC);
      out.writeUTF("a");
      out.writeInt(0);
      out.writeLong(1);
      out.writeLong(1);
      out.writeInt(-1);
      out.writeInt(Integer.MAX_VALUE);
    }
    assertThatThrownBy(() -> readAll(huge)).isInstanceOf(IOException.class)
        .hasMessageContaining("record 1").hasMessageContaining("corrupt");
  }

  private static List<RawRecord> readAll(Path file) throws IOException {
    List<RawRecord> out = new ArrayList<>();
    try (Trace.Reader r = Trace.reader(file)) {
      for (RawRecord x; (x = r.next()) != null; ) {
        out.add(x);
      }
    }
    return out;
  }
}
