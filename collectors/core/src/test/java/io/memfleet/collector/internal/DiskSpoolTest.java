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
      // valid records follow the damage: nothing is cut, the damaged record counts as one
      assertThat(spool.corruptTailsOnOpen()).isZero();
      assertThat(spool.damagedOnOpen()).isEqualTo(1);
      assertThat(spool.size()).isEqualTo(100);
      List<DiskSpool.Entry> before = spool.peek(1000);
      int k = before.size();
      assertThat(values(before)).isNotEmpty().hasSizeLessThan(100).isEqualTo(expected(0, k));
      spool.remove(before);
      // the replay skips the damaged record alone; everything after it survives, in order
      assertThat(spool.discardHead()).isEqualTo(1);
      assertThat(values(spool.peek(1000))).isEqualTo(expected(k + 1, 100));
      assertThat(spool.size()).isEqualTo(99 - k);
    }
  }

  @Test
  void aSecondSpoolOnTheSameDirectoryIsRefusedNamingTheHolder() throws Exception {
    try (DiskSpool first = DiskSpool.open(dir, 1024 * 1024)) {
      first.append(entry(1));
      assertThatThrownBy(() -> DiskSpool.open(dir, 1024 * 1024))
          .isInstanceOf(SpoolLockedException.class)
          .hasMessageContaining(dir.toString())
          .hasMessageContaining("pid " + ProcessHandle.current().pid());
      assertThat(first.append(entry(2))).isTrue();
    }
    // closing releases the directory, and the next spool finds what the first left
    try (DiskSpool second = DiskSpool.open(dir, 1024 * 1024)) {
      assertThat(values(second.peek(10))).isEqualTo(expected(1, 3));
    }
  }

  @Test
  void anUnreadableCursorReplaysFromTheOldestSegmentInsteadOfFailing() throws Exception {
    for (String cursor : List.of("", "garbage\n", "12", "-1 0\n", "99999 0\n", "0 7\n")) {
      Path d = dir.resolve("c" + cursor.hashCode());
      try (DiskSpool spool = DiskSpool.open(d, 1024 * 1024)) {
        for (int i = 0; i < 50; i++) {
          spool.append(entry(i));
        }
      }
      Files.writeString(d.resolve("cursor"), cursor);
      try (DiskSpool spool = DiskSpool.open(d, 1024 * 1024)) {
        assertThat(spool.cursorResetsOnOpen()).as("cursor '%s'", cursor).isEqualTo(1);
        assertThat(spool.size()).isEqualTo(50);
        assertThat(values(spool.peek(100))).isEqualTo(expected(0, 50));
      }
    }
  }

  @Test
  void aStrayFileNamedLikeASegmentDoesNotStopTheSpool() throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("notes.seg"), "left here by hand");
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      spool.append(entry(3));
      assertThat(values(spool.peek(10))).isEqualTo(expected(3, 4));
    }
  }

  @Test
  void aRecordDamagedWhileSpooledIsDiscardedAloneAndTheRestIsReplayed() throws Exception {
    try (DiskSpool spool = DiskSpool.open(dir, 1024 * 1024)) {
      long tenth = 0;
      for (int i = 0; i < 100; i++) {
        if (i == 10) {
          tenth = spool.diskBytes();
        }
        spool.append(entry(i));
      }
      spool.sync();
      // bit rot under a running spool: the value bytes of record 10
      try (FileChannel ch = FileChannel.open(segments().get(0), StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(new byte[] {'#', '#'}), tenth + 30);
      }
      // the readable records before it come out; the damaged one is not among them
      List<DiskSpool.Entry> before = spool.peek(1000);
      assertThat(values(before)).isEqualTo(expected(0, 10));
      assertThat(spool.discardHead()).as("nothing to discard while the head reads").isZero();
      spool.remove(before);
      assertThatThrownBy(() -> spool.peek(1000)).isInstanceOf(java.io.IOException.class);
      assertThat(spool.discardHead()).isEqualTo(1);
      assertThat(spool.size()).isEqualTo(89);
      assertThat(values(spool.peek(1000))).isEqualTo(expected(11, 100));
    }
  }

  @Test
  void aSegmentThatCannotBeCreatedFailsTheAppendWithoutBreakingTheSpool() throws Exception {
    // 64 KiB segments; records of ~70 bytes
    try (DiskSpool spool = DiskSpool.open(dir, 512 * 1024)) {
      int i = 0;
      while (segments().size() < 1 || spool.diskBytes() < 60 * 1024) {
        spool.append(entry(i++));
      }
      // the next segment's name is taken by a directory: the roll cannot open it
      Path blocker = Files.createDirectory(dir.resolve(String.format("%020d.seg", 1)));
      int failed = 0;
      for (int tries = 0; tries < 200 && failed < 2; tries++) {
        try {
          spool.append(entry(i));
          i++;
        } catch (java.io.IOException expectedFailure) {
          failed++;
        }
      }
      assertThat(failed).as("appends that needed the new segment failed").isEqualTo(2);
      Files.delete(blocker);
      assertThat(spool.append(entry(i))).isTrue();
      i++;
      assertThat(values(spool.peek(100_000))).isEqualTo(expected(0, i));
      assertThat(spool.size()).isEqualTo(i);
    }
    try (DiskSpool spool = DiskSpool.open(dir, 512 * 1024)) {
      assertThat(spool.corruptTailsOnOpen()).isZero();
      assertThat(spool.size()).isPositive();
    }
  }

  @Test
  void theSpoolOfADeadCollectorIsTakenOverWithItsLossesButNotALiveOnesSpool() throws Exception {
    Path dead = dir.resolve("dead");
    try (DiskSpool orphan = DiskSpool.open(dead, 1024 * 1024)) {
      for (int i = 0; i < 10; i++) {
        orphan.append(entry(i));
      }
      // 4 more events were accepted and never settled when it "died"
      orphan.ledger().accepted(4);
    }
    Path alive = dir.resolve("alive");
    try (DiskSpool live = DiskSpool.open(alive, 1024 * 1024);
        DiskSpool mine = DiskSpool.open(dir.resolve("mine"), 1024 * 1024)) {
      live.append(entry(99));
      mine.append(entry(50));
      assertThat(OrphanSpools.adopt(mine, alive)).isFalse();
      assertThat(OrphanSpools.adopt(mine, dead)).isTrue();
      assertThat(mine.lostOnKillOnOpen()).isEqualTo(4);
      assertThat(mine.adoptionOverflow()).isZero();
      List<String> all = values(mine.peek(100));
      assertThat(all).hasSize(11);
      assertThat(all.subList(1, 11)).isEqualTo(expected(0, 10));
      assertThat(dead).doesNotExist();
      assertThat(values(live.peek(10))).isEqualTo(expected(99, 100));
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
