package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRowTest {
  @Test
  void escapesStringsAndFormatsTypes() {
    String row = JsonRow.create().put("s", "a\"b\\c\nd\u0001").put("n", 42L).put("f", 0.5)
        .put("nan", Double.NaN).putDateTime("t", 0L).put("arr", List.of("x", "y\"")).put("nul",
            (String) null).toString();
    assertThat(row).isEqualTo("{\"s\":\"a\\\"b\\\\c\\nd\\u0001\",\"n\":42,\"f\":0.5,\"nan\":0,"
        + "\"t\":\"1970-01-01 00:00:00\",\"arr\":[\"x\",\"y\\\"\"],\"nul\":\"\"}");
  }

  /** The escaping written out one character at a time, as JSON defines it. */
  private static String quoted(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
    }
    return b.append('"').toString();
  }

  @Test
  void escapesEveryStringAsJsonDoesCharacterByCharacter() {
    java.util.Random random = new java.util.Random(20261203);
    char[] alphabet = "ab \"\\\n\r\t\u0000\u001f\u0020\u007f\u00e9\u20ac\ud83d\ude00{}:,".toCharArray();
    for (int n = 0; n < 20_000; n++) {
      char[] chars = new char[random.nextInt(40)];
      for (int i = 0; i < chars.length; i++) {
        chars[i] = alphabet[random.nextInt(alphabet.length)];
      }
      String s = new String(chars);
      assertThat(JsonRow.create().put("s", s).toString()).as("escaping of %s", s)
          .isEqualTo("{\"s\":" + quoted(s) + "}");
    }
  }

  @Test
  void writesDatesAndTimesAsTheJavaTimeFormatterDoes() {
    var dateTime = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
        .withZone(java.time.ZoneOffset.UTC);
    java.util.Random random = new java.util.Random(20261205);
    // the last three: a broken clock's years 0, 10000 and 20000, written as the formatter does
    long[] edges = {0L, -1L, 999L, 1000L, 86_399_999L, 86_400_000L, 951_782_400_000L,
        253_402_300_799_999L, -62_135_596_800_000L, -62_135_596_800_001L,
        253_402_300_800_000L, 568_971_820_800_000L};
    for (int n = 0; n < 20_000 + edges.length; n++) {
      long ms = n < edges.length ? edges[n]
          : random.nextLong(-62_135_596_800_000L, 253_402_300_800_000L);
      String text = dateTime.format(java.time.Instant.ofEpochMilli(ms));
      assertThat(JsonRow.create().putDateTime("t", ms).putDate("d", ms).toString())
          .as("%d ms", ms)
          .isEqualTo("{\"t\":\"" + text + "\",\"d\":\"" + text.substring(0, 10) + "\"}");
    }
  }

  @Test
  void aRowReadTwiceIsTheSameAndCanGrowInBetween() {
    JsonRow row = JsonRow.create(4).put("a", 1L);
    assertThat(row.toString()).isEqualTo("{\"a\":1}").isEqualTo(row.toString());
    assertThat(row.put("b", "x").toString()).isEqualTo("{\"a\":1,\"b\":\"x\"}");
  }
}
