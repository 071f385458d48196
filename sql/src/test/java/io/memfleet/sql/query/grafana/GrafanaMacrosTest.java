package io.memfleet.sql.query.grafana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrafanaMacrosTest {
  private final GrafanaMacros macros = GrafanaMacros.builder()
      .timeRange(Instant.parse("2026-01-05T00:00:00Z"), Instant.parse("2026-01-07T00:00:00Z"))
      .intervalSeconds(600)
      .variable("database", "memfleet")
      .variable("cluster", List.of("prod-eu", "o'brien"))
      .variable("pid", "4101")
      .build();

  @Test
  void expandsVariablesThenThePluginsMacros() {
    String sql = macros.expand("SELECT toDateTime(intDiv(toUInt32(t), $__interval_s)"
        + " * $__interval_s)"
        + " FROM ${database}.x WHERE $__timeFilter(window_start) AND pid = $pid"
        + " AND cluster IN (${cluster:singlequote}) AND d >= $__fromTime AND d <= $__toTime");
    assertThat(sql).isEqualTo("SELECT toDateTime(intDiv(toUInt32(t), 600) * 600)"
        + " FROM memfleet.x WHERE window_start >= toDateTime(1767571200) AND window_start <="
        + " toDateTime(1767744000) AND pid = 4101 AND cluster IN ('prod-eu','o\\'brien')"
        + " AND d >= toDateTime(1767571200) AND d <= toDateTime(1767744000)");
  }

  @Test
  void dateAndIntervalMacrosFollowThePlugin() {
    assertThat(macros.expand("$__dateFilter(event_date)"))
        .isEqualTo("event_date >= toDate('2026-01-05') AND event_date <= toDate('2026-01-07')");
    assertThat(macros.expand("$__dt(d, t)")).isEqualTo("(d >= toDate('2026-01-05') AND d <="
        + " toDate('2026-01-07')) AND (t >= toDateTime(1767571200)"
        + " AND t <= toDateTime(1767744000))");
    assertThat(macros.expand("$__timeInterval(toDateTime(x))"))
        .isEqualTo("toStartOfInterval(toDateTime(toDateTime(x)), INTERVAL 600 second)");
    assertThat(macros.expand("$__fromTime_ms"))
        .isEqualTo("fromUnixTimestamp64Milli(1767571200000)");
    assertThat(macros.expand("${cluster:csv} ${cluster:sqlstring}"))
        .isEqualTo("prod-eu,o'brien 'prod-eu','o''brien'");
  }

  @Test
  void unknownNamesAndBadArgumentsAreErrors() {
    assertThatThrownBy(() -> macros.expand("SELECT $servce")).hasMessageContaining("$servce");
    assertThatThrownBy(() -> macros.expand("$__timeFiltr(x)")).hasMessageContaining("$__timeFiltr");
    assertThatThrownBy(() -> macros.expand("$__timeFilter(a, b)"))
        .hasMessageContaining("1 argument");
    assertThatThrownBy(() -> macros.expand("$__timeFilter x")).hasMessageContaining("arguments");
    assertThatThrownBy(() -> macros.expand("${cluster:percentencode}"))
        .hasMessageContaining("unsupported format");
    assertThatThrownBy(() -> GrafanaMacros.builder()
        .timeRange(Instant.EPOCH, Instant.EPOCH).build())
        .hasMessageContaining("forward");
  }
}
