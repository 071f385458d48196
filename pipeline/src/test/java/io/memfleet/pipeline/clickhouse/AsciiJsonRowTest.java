package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pieces of an ASCII row are what {@link JsonRow} and the JDK write for them. */
class AsciiJsonRowTest {
  private static String decimal(long v) {
    byte[] to = new byte[3 + AsciiJsonRow.MAX_LONG_DIGITS];
    to[0] = 'x';
    int end = AsciiJsonRow.putLong(to, 1, v);
    return new String(to, 0, end, StandardCharsets.ISO_8859_1);
  }

  @Test
  void numbersAreWrittenAsLongToStringWritesThem() {
    long[] edges = {0, 1, -1, 9, 10, 11, 99, 100, 101, 999, 1000, 12_345, -12_345,
        Integer.MAX_VALUE, Integer.MIN_VALUE, 999_999_999_999_999_999L,
        1_000_000_000_000_000_000L, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE,
        Long.MIN_VALUE + 1};
    for (long v : edges) {
      assertThat(decimal(v)).isEqualTo("x" + v);
    }
    long power = 1;
    for (int d = 0; d < 19; d++, power *= 10) {
      for (long v : new long[] {power, power - 1, power + 1, -power, -(power - 1)}) {
        assertThat(decimal(v)).isEqualTo("x" + v);
      }
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      long v = random.nextLong() >> random.nextInt(64);
      assertThat(decimal(v)).isEqualTo("x" + v);
    }
  }

  @Test
  void aColumnNameIsQuotedAsJsonRowQuotesIt() {
    assertThat(new String(AsciiJsonRow.key("event_date"), StandardCharsets.ISO_8859_1))
        .isEqualTo("\"event_date\":");
    assertThat(new String(AsciiJsonRow.key("a\"b"), StandardCharsets.ISO_8859_1))
        .isEqualTo("\"a\\\"b\":");
  }
}
