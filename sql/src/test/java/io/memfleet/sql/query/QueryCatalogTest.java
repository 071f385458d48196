package io.memfleet.sql.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueryCatalogTest {
  @TempDir Path dir;

  @Test
  void bundledCatalogHoldsEveryPlannerQuestionWithAHeader() throws Exception {
    QueryCatalog catalog = QueryCatalog.bundled();
    assertThat(catalog.names()).contains("headroom_to_limit", "top_memory_growth", "days_to_oom",
        "gc_overhead_by_service", "top_allocation_stacks", "leak_fingerprints_across_clusters",
        "oom_kills_by_service", "native_vs_managed_share", "goroutine_growth", "alert_timeline",
        "service_memory_daily");
    for (PlannerQuery q : catalog.all()) {
      assertThat(q.answers()).as(q.name()).endsWith("?");
      assertThat(q.notes()).as(q.name()).isNotBlank();
      assertThat(q.sql()).as(q.name()).contains("${database}.").doesNotContain("--  name:");
      for (QueryParameter p : q.parameters()) {
        assertThat(p.description()).as(q.name() + " " + p.name()).isNotBlank();
        assertThat(p.required()).as(q.name() + " " + p.name() + " has a default").isFalse();
      }
      // every default is a valid value of its type: the query runs with no --param at all
      assertThat(QueryParameters.bind(q, Map.of(), "memfleet")).doesNotContain("{")
          .contains("memfleet.");
    }
  }

  @Test
  void headerIsReadIntoTypedParameters() {
    PlannerQuery q = PlannerQuery.parse("x.sql", """
        -- name: x
        -- answers: What?
        -- param: from DateTime default 2026-01-05 00:00:00 — start, as a calendar time
        -- param: sev String default 'WARNING' — severity
        -- param: n UInt32 — required count
        --
        -- Notes line one.
        SELECT {from:DateTime}, {sev:String} FROM ${database}.t LIMIT {n:UInt32};
        """);
    assertThat(q.parameters()).extracting(QueryParameter::signature).containsExactly(
        "from DateTime (default 2026-01-05 00:00:00)", "sev String (default WARNING)",
        "n UInt32 (required)");
    assertThat(q.notes()).isEqualTo("Notes line one.");
    assertThat(q.sql()).startsWith("SELECT").doesNotEndWith(";");
  }

  @Test
  void malformedFilesAreRefusedWithTheFileAndProblem() {
    assertThatThrownBy(() -> PlannerQuery.parse("a.sql", "-- name: b\n-- answers: ?\nSELECT 1"))
        .hasMessageContaining("a.sql").hasMessageContaining("does not match the file name");
    assertThatThrownBy(() -> PlannerQuery.parse("a.sql", "-- name: a\nSELECT 1"))
        .hasMessageContaining("answers");
    assertThatThrownBy(() -> PlannerQuery.parse("a.sql",
        "-- name: a\n-- answers: ?\nSELECT {x:String}"))
        .hasMessageContaining("{x:String} has no '-- param: x' line");
    assertThatThrownBy(() -> PlannerQuery.parse("a.sql",
        "-- name: a\n-- answers: ?\n-- param: x Int64 — n\nSELECT {x:String}"))
        .hasMessageContaining("does not match the declared type Int64");
    assertThatThrownBy(() -> PlannerQuery.parse("a.sql",
        "-- name: a\n-- answers: ?\n-- param: x Int64 — n\nSELECT 1"))
        .hasMessageContaining("'x' is declared but the SQL never uses it");
    assertThatThrownBy(() -> PlannerQuery.parse("a.sql",
        "-- name: a\n-- answers: ?\n-- param: x Decimal — n\nSELECT {x:Decimal}"))
        .hasMessageContaining("unknown type 'Decimal'");
    assertThatThrownBy(() -> PlannerQuery.parse("a.sql",
        "-- name: a\n-- answers: ?\nSELECT { x }"))
        .hasMessageContaining("malformed placeholder");
    assertThatThrownBy(() -> PlannerQuery.parse("a.sql",
        "-- name: a\n-- answers: ?\nSELECT 'open"))
        .hasMessageContaining("unterminated");
  }

  @Test
  void directoryCatalogReadsOnlySqlFilesAndFailsOnABrokenOne() throws Exception {
    Files.writeString(dir.resolve("one.sql"), "-- name: one\n-- answers: One?\nSELECT 1");
    Files.writeString(dir.resolve("README.md"), "# not a query {x}");
    assertThat(QueryCatalog.fromDirectory(dir).names()).containsExactly("one");

    Files.writeString(dir.resolve("two.sql"), "-- name: three\n-- answers: ?\nSELECT 1");
    assertThatThrownBy(() -> QueryCatalog.fromDirectory(dir)).hasMessageContaining("two.sql");
  }
}
