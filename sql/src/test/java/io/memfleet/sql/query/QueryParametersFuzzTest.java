package io.memfleet.sql.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.fuzz.Bounded;
import io.memfleet.fuzz.Mutations;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes what a planner types and what a query file declares: parameter values of every type
 * throw only {@link QueryParameterException} and a bound literal never carries a quote or
 * control character unescaped; {@code --param} assignments throw only that too; query files
 * throw only {@link IllegalArgumentException}. Nothing hangs or allocates beyond its input.
 */
class QueryParametersFuzzTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-05T10:00:00Z"), ZoneOffset.UTC);

  @Property
  void valuesThrowOnlyQueryParameterException(@ForAll("values") String value,
      @ForAll("types") ParameterType type) throws Exception {
    try {
      String literal = Bounded.call(() -> type.literal("p", value, CLOCK), value.length());
      if (type == ParameterType.STRING) {
        // inside the quotes every quote is escaped: the literal ends where it should
        String inner = literal.substring(1, literal.length() - 1);
        assertThat(inner.replace("\\\\", "").replace("\\'", "")).doesNotContain("'");
        assertThat(inner.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).isTrue();
      } else {
        assertThat(literal).matches("[A-Za-z0-9()'.:\\- +E]*");
      }
    } catch (QueryParameterException documented) {
      assertThat(documented.parameter()).isEqualTo("p");
    }
  }

  @Property
  void assignmentsThrowOnlyQueryParameterException(@ForAll("values") String a,
      @ForAll("values") String b) throws Exception {
    try {
      Map<String, String> values = Bounded.call(
          () -> QueryParameters.parseAssignments(List.of(a, b)), a.length() + b.length());
      assertThat(values).hasSizeBetween(1, 2);
    } catch (QueryParameterException documented) {
      // not name=value, or a name given twice
    }
  }

  @Property
  void queryFilesThrowOnlyIllegalArgument(@ForAll("queryFiles") String text) throws Exception {
    try {
      PlannerQuery q = Bounded.call(() -> PlannerQuery.parse("fuzz.sql", text), text.length());
      assertThat(q.name()).isEqualTo("fuzz");
    } catch (IllegalArgumentException documented) {
      assertThat(documented.getMessage()).startsWith("fuzz.sql: ");
    }
  }

  @Provide
  Arbitrary<ParameterType> types() {
    return Arbitraries.of(ParameterType.class);
  }

  @Provide
  Arbitrary<String> values() {
    return Mutations.text(List.of("2026-01-05 00:00:00", "2026-01-05", "now-7d", "today-30d",
        "now", "today", "1767571200", "1048576", "-42", "0.25", "1e-3", ".5", "prod-eu",
        "x' OR 1=1 --", "cluster=prod-eu", "from=now-1h", "limit=5", "4294967295",
        "9223372036854775807", "now+999999d", "today+999999d", "2106-02-07 06:28:15"));
  }

  @Provide
  Arbitrary<String> queryFiles() {
    List<String> seeds = new ArrayList<>();
    for (String text : Mutations.textFilesUnder(Path.of("queries"), ".sql")) {
      // the header must name the file: every seed is "fuzz"
      seeds.add(text.replaceFirst("--\\s*name:\\s*\\S+", "-- name: fuzz"));
    }
    return Mutations.text(seeds);
  }
}
