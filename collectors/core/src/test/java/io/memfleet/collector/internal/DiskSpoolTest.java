package io.memfleet.collector.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {
  @TempDir Path dir;

  private static DiskSpool.Entry entry(int i) {
    return new DiskSpool.Entry("topic-" + (i % 3), ("k" + i).getBytes(StandardCharsets.UTF_8),
        ("value-" + i + "-" + "x".repeat(i % 50)).getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> values(List<DiskSpool.Entry> entries) {
    List<String> out = new ArrayList<>();
    entries.forEach(e -> out.add(new String(e.value(), StandardCharsets.UTF_8)));
    return out;
  }

  private static List<String> expected(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(new String(entry(i).value(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void keepsOrderAcrossSegmentsAndRemovesReplayedSegments() throws Exception {
    // 1 MiB bound -> 128 KiB segments; 5000 records span several
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      for (int i = 0; i < 5000; i++) {
        assertThat(spool.append(entry(i))).isTrue();
      }
      assertThat(segments()).hasSizeGreaterThan(1);
      List<String> drained = new ArrayList<>();
      while (!spool.isEmpty()) {
        List<DiskSpool.Entry> batch = spool.peek(333);
        drained.addAll(values(batch));
        spool.remove(batch);
      }
      assertThat(drained).isEqualTo(expected(0, 5000));
      assertThat(spool.diskBytes()).isZero();
      assertThat(segments()).isEmpty();
      // it keeps working after being drained
      spool.append(entry(7));
      assertThat(values(spool.peek(10))).isEqualTo(expected(7, 8));
    }
  }

  @Test
  void refusesRecordsBeyondTheBound() throws Exception {
    try (DiskSpool spool = DiskSpool.open(dir, 64 * 1024)) {
      int accepted = 0;
      for (int i = 0; i < 10_000; i++) {
        if (spool.append(entry(i))) {
          accepted++;
        } else {
          break;
        }
      }
      assertThat(accepted).isBetween(500, 2500);
      assertThat(spool.diskBytes()).isLessThanOrEqualTo(64 * 1024);
      assertThat(spool.append(entry(1))).isFalse();
      assertThat(spool.size()).isEqualTo(accepted);
    }
  }

  @Test
  void recoversUnreplayedRecordsAfterRestart() throws Exception {
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      for (int i = 0; i < 3000; i++) {
        spool.append(entry(i));
      }
      spool.remove(spool.peek(1200));
    }
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      assertThat(spool.size()).isEqualTo(1800);
      assertThat(spool.corruptTailsOnOpen()).isZero();
      spool.append(entry(3000));
      assertThat(values(spool.peek(10_000))).isEqualTo(expected(1200, 3001));
    }
    // drain fully after a restart (no writer open at first), in small batches
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      List<String> drained = new ArrayList<>();
      while (!spool.isEmpty()) {
        List<DiskSpool.Entry> batch = spool.peek(7);
        drained.addAll(values(batch));
        spool.remove(batch);
      }
      assertThat(drained).isEqualTo(expected(1200, 3001));
      assertThat(segments()).isEmpty();
    }
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      assertThat(spool.isEmpty()).isTrue();
    }
  }

  @Test
  void truncatedTailIsCutAndReported() throws Exception {
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      for (int i = 0; i < 100; i++) {
        spool.append(entry(i));
      }
    }
    Path last = segments().get(segments().size() - 1);
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() - 5); // a write cut short by a crash
    }
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      assertThat(spool.corruptTailsOnOpen()).isEqualTo(1);
      assertThat(values(spool.peek(1000))).isEqualTo(expected(0, 99));
    }
  }

  @Test
  void flippedBitIsDetectedByTheChecksum() throws Exception {
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      for (int i = 0; i < 100; i++) {
        spool.append(entry(i));
      }
    }
    Path seg = segments().get(0);
    byte[] bytes = Files.readAllBytes(seg);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(seg, bytes);
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      assertThat(spool.corruptTailsOnOpen()).isEqualTo(1);
      List<String> left = values(spool.peek(1000));
      // everything before the damaged record survives, in order
      assertThat(left).isNotEmpty().hasSizeLessThan(100);
      assertThat(left).isEqualTo(expected(0, left.size()));
    }
  }

  @Test
  void rejectsATinyBound() {
    assertThatThrownBy(() -> DiskSpool.open(dir, 10)).isInstanceOf(IllegalArgumentException.class);
  }

  private List<Path> segments() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }
}
