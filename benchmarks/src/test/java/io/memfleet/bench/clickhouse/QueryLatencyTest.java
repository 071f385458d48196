package io.memfleet.bench.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.sql.query.PlannerQuery;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryLatencyTest {
  @Test
  void medianAndMaxOfTheTimedRuns() {
    QueryLatency.Timing odd = new QueryLatency.Timing("q", "w", Map.of(), 1, 99,
        List.of(5.0, 1.0, 3.0));
    assertThat(odd.medianMs()).isEqualTo(3.0);
    assertThat(odd.maxMs()).isEqualTo(5.0);
    QueryLatency.Timing even = new QueryLatency.Timing("q", "w", Map.of(), 1, 99,
        List.of(4.0, 1.0, 2.0, 10.0));
    assertThat(even.medianMs()).isEqualTo(3.0);
  }

  @Test
  void theWholeHistoryStartsFromInTheParametersType() {
    long start = 1_767_571_200L; // 2026-01-05 00:00:00 UTC
    PlannerQuery dateTime = PlannerQuery.parse("a.sql", """
        -- name: a
        -- answers: what?
        -- param: from DateTime default now-1d — start
        SELECT 1 WHERE now() >= {from:DateTime}
        """);
    PlannerQuery date = PlannerQuery.parse("b.sql", """
        -- name: b
        -- answers: what?
        -- param: from Date default today-30d — first day
        SELECT 1 WHERE today() >= {from:Date}
        """);
    PlannerQuery none = PlannerQuery.parse("c.sql", """
        -- name: c
        -- answers: what?
        SELECT 1
        """);
    assertThat(QueryLatency.wholeHistory(dateTime, start)).containsExactly(
        Map.entry("from", "1767571200"));
    assertThat(QueryLatency.wholeHistory(date, start)).containsExactly(
        Map.entry("from", "2026-01-05"));
    assertThat(QueryLatency.wholeHistory(none, start)).isEmpty();
  }
}
