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
}
