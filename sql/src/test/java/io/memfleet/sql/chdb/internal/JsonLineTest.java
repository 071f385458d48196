package io.memfleet.sql.chdb.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonLineTest {

  @Test
  void requestIsOneAsciiLineWithEverythingEscaped() {
    String line = JsonLine.request(7, "SELECT 'a\"b\\c'\n\tFROM ü 😀 \u0001", "TabSeparated");
    assertThat(line).isEqualTo("{\"id\":7,\"sql\":\"SELECT 'a\\\"b\\\\c'\\n\\tFROM \\u00fc"
        + " \\ud83d\\ude00 \\u0001\",\"format\":\"TabSeparated\"}");
    assertThat(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f)).isTrue();
  }

  @Test
  void aRequestReadsBackAsTheSameText() {
    String sql = "x\"y\\z\n\r\t\b\f ü 😀 \u001f";
    Map<String, Object> back = JsonLine.parseObject(JsonLine.request(3, sql, "JSONEachRow"));
    assertThat(back).containsEntry("id", 3.0).containsEntry("sql", sql)
        .containsEntry("format", "JSONEachRow");
  }

  @Test
  void parsesResponsesAsTheBridgeWritesThem() {
    // as Node's JSON.stringify writes them: raw UTF-8, control characters as \\u00XX
    Map<String, Object> ok = JsonLine.parseObject(
        "{\"id\":12,\"ok\":true,\"data\":\"a\\tb\\nü\\u0001\\/\"}");
    assertThat(ok).containsEntry("id", 12.0).containsEntry("ok", true)
        .containsEntry("data", "a\tb\nü\u0001/");
    Map<String, Object> failed = JsonLine.parseObject(
        " { \"id\" : -1 , \"ok\" : false , \"error\" : \"Code: 46.\" , \"x\" : null } ");
    assertThat(failed).containsEntry("id", -1.0).containsEntry("ok", false)
        .containsEntry("error", "Code: 46.").containsEntry("x", null);
    assertThat(JsonLine.parseObject("{}")).isEmpty();
    assertThat(JsonLine.parseObject("{\"n\":1.5e3}")).containsEntry("n", 1500.0);
  }

  @Test
  void malformedLinesAreRefusedWithWhereItWentWrong() {
    for (String bad : new String[] {"", "garbage", "{\"id\":1", "{\"id\":1}x", "{\"a\":\"\\q\"}",
        "{\"a\":\"\\u12\"}", "{\"a\":tru}", "{\"a\" 1}", "[1]", "{\"a\":1,}"}) {
      assertThatThrownBy(() -> JsonLine.parseObject(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(" at ");
    }
  }
}
