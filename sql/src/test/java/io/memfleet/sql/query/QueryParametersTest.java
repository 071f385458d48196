package io.memfleet.sql.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryParametersTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-07T00:00:00Z"), ZoneOffset.UTC);

  private static final PlannerQuery QUERY = PlannerQuery.parse("q.sql", """
      -- name: q
      -- answers: a test question
      -- param: cluster String default '' — cluster filter
      -- param: since DateTime default now-7d — start
      -- param: day Date default today-1d — a day
      -- param: min Int64 default -5 — minimum
      -- param: ratio Float64 default 0.5 — a ratio
      -- param: limit UInt32 default 10 — how many
      -- param: rule String — required rule
      SELECT '{not:String}' AS literal, -- {neither:String}
          {cluster:String} AS c, {since:DateTime} AS s, {day:Date} AS d, {min:Int64} AS m,
          {ratio:Float64} AS r, {rule:String} AS rule
      FROM ${database}.alerts /* {nor:Int64} */ WHERE cluster = {cluster:String}
      LIMIT {limit:UInt32}
      """);

  private static String bind(Map<String, String> values) {
    return QueryParameters.bind(QUERY, values, "memfleet", CLOCK);
  }

  @Test
  void defaultsBecomeTypedLiteralsAndPlaceholdersInLiteralsAndCommentsStay() {
    String sql = bind(Map.of("rule", "live-set-growth"));
    assertThat(sql)
        .contains("'{not:String}' AS literal, -- {neither:String}")
        .contains("/* {nor:Int64} */")
        .contains("'' AS c")
        .contains("toDateTime(" + Instant.parse("2025-12-31T00:00:00Z").getEpochSecond() + ") AS s")
        .contains("toDate('2026-01-06') AS d")
        .contains("toInt64(-5) AS m")
        .contains("toFloat64(0.5) AS r")
        .contains("'live-set-growth' AS rule")
        .contains("FROM memfleet.alerts")
        .contains("WHERE cluster = ''")
        .endsWith("LIMIT 10");
  }

  @Test
  void injectionAttemptsStayInsideOneStringLiteral() {
    String sql = bind(Map.of("rule", "x", "cluster", "x' OR 1=1 --"));
    assertThat(sql).contains("'x\\' OR 1=1 --' AS c").contains("WHERE cluster = 'x\\' OR 1=1 --'");

    assertThat(ParameterType.stringLiteral("p", "a\\' OR 1=1")).isEqualTo("'a\\\\\\' OR 1=1'");
    assertThat(ParameterType.stringLiteral("p", "\\")).isEqualTo("'\\\\'");
    assertThat(ParameterType.stringLiteral("p", "line1\nline2\r\t"))
        .isEqualTo("'line1\\nline2\\r\\t'");
    assertThat(ParameterType.stringLiteral("p", "bell\u0007del\u007f"))
        .isEqualTo("'bell\\x07del\\x7F'");
    assertThat(ParameterType.stringLiteral("p", "zürich-µ-😀")).isEqualTo("'zürich-µ-😀'");
    assertThat(ParameterType.stringLiteral("p", "{cluster:String}"))
        .isEqualTo("'{cluster:String}'");
  }

  @Test
  void everyEscapedLiteralHasNoUnescapedQuoteInside() {
    for (String attack : List.of("'; DROP TABLE memfleet.alerts; --", "\\'", "\\\\'", "''",
        "'||'", "x'\n--", "\\x27", "ʼ OR 1=1")) {
      String literal = ParameterType.stringLiteral("p", attack);
      String inside = literal.substring(1, literal.length() - 1);
      for (int i = 0; i < inside.length(); i++) {
        if (inside.charAt(i) == '\\') {
          i++;
        } else {
          assertThat(inside.charAt(i)).as("unescaped quote in %s", literal).isNotEqualTo('\'');
        }
      }
    }
  }

  @Test
  void badValuesAreRefusedNamingTheParameter() {
    assertThatThrownBy(() -> bind(Map.of("rule", "a\u0000b")))
        .isInstanceOf(QueryParameterException.class).hasMessageContaining("'rule'")
        .hasMessageContaining("NUL");
    assertThatThrownBy(() -> bind(Map.of("rule", "x", "min", "1 OR 1=1")))
        .hasMessageContaining("'min'").hasMessageContaining("Int64");
    assertThatThrownBy(() -> bind(Map.of("rule", "x", "min", "99999999999999999999")))
        .hasMessageContaining("'min'");
    assertThatThrownBy(() -> bind(Map.of("rule", "x", "limit", "-1")))
        .hasMessageContaining("'limit'").hasMessageContaining("UInt32");
    assertThatThrownBy(() -> bind(Map.of("rule", "x", "limit", "4294967296")))
        .hasMessageContaining("'limit'");
    assertThatThrownBy(() -> bind(Map.of("rule", "x", "ratio", "NaN")))
        .hasMessageContaining("'ratio'");
    assertThatThrownBy(() -> bind(Map.of("rule", "x", "ratio", "1e999")))
        .hasMessageContaining("'ratio'");
    assertThatThrownBy(() -> bind(Map.of("rule", "x", "since", "2026-02-30 00:00:00")))
        .hasMessageContaining("'since'");
    assertThatThrownBy(() -> bind(Map.of("rule", "x", "since", "2026-01-01') OR ('1")))
        .hasMessageContaining("'since'");
    assertThatThrownBy(() -> bind(Map.of("rule", "x", "day", "today-3h")))
        .hasMessageContaining("'day'");
    assertThatThrownBy(() -> bind(Map.of("rule", "x".repeat(ParameterType.MAX_STRING_LENGTH + 1))))
        .hasMessageContaining("'rule'");
    assertThatThrownBy(() -> bind(Map.of("rule", "\ud800")))
        .hasMessageContaining("surrogate");
  }

  @Test
  void unknownAndMissingParametersAreErrorsNamingThem() {
    assertThatThrownBy(() -> bind(Map.of()))
        .isInstanceOf(QueryParameterException.class)
        .hasMessageContaining("'rule' is required");
    assertThatThrownBy(() -> bind(Map.of("rule", "x", "clustr", "prod")))
        .isInstanceOf(QueryParameterException.class)
        .hasMessageContaining("'clustr' is not a parameter of q")
        .hasMessageContaining("cluster");
  }

  @Test
  void dateTimesAcceptCalendarEpochAndRelativeForms() {
    assertThat(ParameterType.DATETIME.literal("t", "2026-01-05 00:00:00", CLOCK))
        .isEqualTo("toDateTime('2026-01-05 00:00:00')");
    assertThat(ParameterType.DATETIME.literal("t", "1767571200", CLOCK))
        .isEqualTo("toDateTime(1767571200)");
    assertThat(ParameterType.DATETIME.literal("t", "now", CLOCK))
        .isEqualTo("toDateTime(1767744000)");
    assertThat(ParameterType.DATETIME.literal("t", "now-6h", CLOCK))
        .isEqualTo("toDateTime(1767722400)");
    assertThat(ParameterType.DATETIME.literal("t", "now+30m", CLOCK))
        .isEqualTo("toDateTime(1767745800)");
    assertThat(ParameterType.DATE.literal("d", "2026-01-05", CLOCK))
        .isEqualTo("toDate('2026-01-05')");
    assertThat(ParameterType.DATE.literal("d", "today", CLOCK)).isEqualTo("toDate('2026-01-07')");
  }

  @Test
  void hugeRelativeOffsetsLeaveTheDateTimeRange() {
    assertThatThrownBy(() -> ParameterType.DATETIME.literal("t", "now-999999d", CLOCK))
        .hasMessageContaining("range");
  }

  @Test
  void databaseMustBeAPlainIdentifier() {
    assertThatThrownBy(() -> QueryParameters.bind(QUERY, Map.of("rule", "x"), "memfleet; DROP",
        CLOCK)).hasMessageContaining("database name");
    assertThatThrownBy(() -> QueryParameters.bind(QUERY, Map.of("rule", "x"), "a.b", CLOCK))
        .hasMessageContaining("database name");
  }

  @Test
  void assignmentsSplitAtTheFirstEqualsSign() {
    assertThat(QueryParameters.parseAssignments(List.of("a=b=c", "from=2026-01-05 00:00:00", "e=")))
        .containsEntry("a", "b=c").containsEntry("from", "2026-01-05 00:00:00")
            .containsEntry("e", "");
    assertThatThrownBy(() -> QueryParameters.parseAssignments(List.of("novalue")))
        .hasMessageContaining("name=value");
    assertThatThrownBy(() -> QueryParameters.parseAssignments(List.of("a=1", "a=2")))
        .hasMessageContaining("'a' is given twice");
  }
}
