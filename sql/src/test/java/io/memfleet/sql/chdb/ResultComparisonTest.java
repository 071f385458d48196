package io.memfleet.sql.chdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.sql.query.ResultTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultComparisonTest {
  private static ResultTable table(String tsvWithNames) {
    return ResultTable.fromTabSeparatedWithNames(tsvWithNames);
  }

  @Test
  void identicalAnswersAgreeAndAnyTextDifferenceIsReported() {
    ResultTable a = table("service\trss\ncheckout\t10\nledger\t20\n");
    assertThat(ResultComparison.differences("q", "SELECT 1 ORDER BY service", a, a)).isEmpty();
    assertThat(ResultComparison.differences("q", "SELECT 1 ORDER BY service", a,
        table("service\trss\ncheckout\t10\nledgr\t20\n")))
        .containsExactly("q: row 1 column service: 'ledger' on 18.16 but 'ledgr' on 26.x");
    assertThat(ResultComparison.differences("q", "", a, table("service\tRSS\ncheckout\t10\n")))
        .singleElement().asString().contains("columns [service, rss] on 18.16");
    assertThat(ResultComparison.differences("q", "", a, table("service\trss\ncheckout\t10\n")))
        .containsExactly("q: 2 rows on 18.16 but 1 on 26.x");
    assertThat(ResultComparison.differences("q", "", table("x\n\\N\n"), table("x\n0\n")))
        .hasSize(1);
  }

  @Test
  void rowsMayTradePlacesOnlyWhereTheOrderByTies() {
    String sql = "SELECT time, service, rss FROM t ORDER BY time LIMIT 10";
    ResultTable a = table("time\tservice\trss\n1\ta\t10\n1\tb\t20\n2\ta\t11\n2\tb\t21\n");
    ResultTable swappedInBucket =
        table("time\tservice\trss\n1\tb\t20\n1\ta\t10\n2\ta\t11\n2\tb\t21\n");
    ResultTable swappedAcross =
        table("time\tservice\trss\n2\ta\t11\n1\tb\t20\n1\ta\t10\n2\tb\t21\n");
    assertThat(ResultComparison.differences("q", sql, a, swappedInBucket)).isEmpty();
    assertThat(ResultComparison.differences("q", sql, a, swappedAcross)).isNotEmpty();
    // ordered by every column: no ties, so any swap is a difference
    assertThat(ResultComparison.differences("q", "SELECT … ORDER BY time, service DESC", a,
        swappedInBucket)).isNotEmpty();
    // no ORDER BY: ClickHouse promises no order at all
    assertThat(ResultComparison.differences("q", "SELECT time, service, rss FROM t", a,
        swappedAcross)).isEmpty();
    // an expression in the ORDER BY: compared strictly
    assertThat(ResultComparison.differences("q", "SELECT … ORDER BY toUInt32(time)", a,
        swappedInBucket)).isNotEmpty();
  }

  @Test
  void orderByIsReadFromTheOuterQueryOnly() {
    List<String> columns = List.of("time", "service", "rss");
    assertThat(ResultComparison.orderByColumns(
        "SELECT * FROM (SELECT … ORDER BY rss) ORDER BY service DESC, `time` ASC LIMIT 5",
        columns)).containsExactly(1, 0);
    assertThat(ResultComparison.orderByColumns("SELECT * FROM (SELECT … ORDER BY rss)", columns))
        .isEmpty();
    assertThat(ResultComparison.orderByColumns("SELECT … ORDER BY other", columns)).isNull();
  }

  @Test
  void numbersMayDifferInTheirLastDigitsAndQuantilesWithinTheirTolerance() {
    assertThat(ResultComparison.sameCell("growth_bytes_per_hour", "41943060", "41943071"))
        .isTrue();   // 2.6e-7 relative, measured between 18.16 and 26.7
    assertThat(ResultComparison.sameCell("growth_bytes_per_hour", "41943060", "41953060"))
        .isFalse();  // 2.4e-4
    assertThat(ResultComparison.sameCell("x", "0.1", "1e-1")).isTrue();
    assertThat(ResultComparison.sameCell("x", "0", "0.0000000001")).isTrue();
    assertThat(ResultComparison.sameCell("x", "inf", "inf")).isTrue();
    assertThat(ResultComparison.sameCell("x", "inf", "1e308")).isFalse();
    assertThat(ResultComparison.sameCell("x", "nan", "0")).isFalse();
    assertThat(ResultComparison.sameCell("x", "2026-01-05", "2026-01-06")).isFalse();
    assertThat(ResultComparison.sameCell("pause_p99_ms", "0.61", "0.6")).isTrue();
    assertThat(ResultComparison.sameCell("pause_max_ms", "0.61", "0.6")).isFalse();
    assertThat(ResultComparison.sameCell("pause_p99_ms", "0.7", "0.6")).isFalse();
  }
}
