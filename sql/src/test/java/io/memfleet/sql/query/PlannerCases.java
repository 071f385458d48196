package io.memfleet.sql.query;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixture: the planner-query calls that {@link PlannerQueriesIT} asserts on, as data — every
 * bundled query over the seed period, plus each query with the parameters that test passes — so
 * another engine (ClickHouse 26.x through chDB) can run the same set and be compared call by call.
 */
public final class PlannerCases {
  private PlannerCases() {}

  /** One call: a query and its parameters (the seed period filled in where not given). */
  public record Case(PlannerQuery query, Map<String, String> params) {
    /** E.g. {@code days_to_oom [from=2026-01-06 00:00:00, to=2026-01-07 00:00:00]}. */
    public String label() {
      return query.name() + " " + params;
    }
  }

  /** Every case, in a stable order. */
  public static List<Case> all(QueryCatalog catalog, String database) {
    List<Case> cases = new ArrayList<>();
    for (PlannerQuery q : catalog.all()) {
      cases.add(seedPeriod(q));
    }
    String[][] calls = {
        {"headroom_to_limit", "cluster=prod-eu", "service=checkout"},
        {"top_memory_growth", "cluster=prod-eu", "limit=1"},
        {"top_memory_growth", "limit=2"},
        {"days_to_oom", "from=2026-01-06 00:00:00"},
        {"days_to_oom", "from=2026-01-05 00:00:00", "to=2026-01-08 00:00:00"},
        {"top_allocation_stacks", "depth=2"},
        {"top_allocation_stacks", "runtime=GO"},
        {"leak_fingerprints_across_clusters", "min_clusters=2"},
        {"oom_kills_by_service", "cluster=prod-us"},
        {"oom_kills_by_service", "cluster=x' OR 1=1 --"},
        {"alert_timeline", "min_severity=CRITICAL"},
        {"alert_timeline", "service=imgproc"},
        {"alert_timeline", "service=checkout'; DROP TABLE " + database + ".alerts; --"},
        {"service_memory_daily", "service=checkout", "cluster=prod-eu", "to=2026-01-06"},
    };
    for (String[] call : calls) {
      PlannerQuery q = catalog.get(call[0]).orElseThrow();
      Case base = seedPeriod(q);
      Map<String, String> params = new LinkedHashMap<>(base.params());
      params.putAll(QueryParameters.parseAssignments(List.of(call).subList(1, call.length)));
      cases.add(new Case(q, params));
    }
    return cases;
  }

  private static Case seedPeriod(PlannerQuery q) {
    Map<String, String> params = new HashMap<>();
    q.parameter("from").ifPresent(p -> params.put("from",
        p.type() == ParameterType.DATE ? "2026-01-05" : PlannerSeed.FROM));
    q.parameter("to").ifPresent(p -> params.put("to",
        p.type() == ParameterType.DATE ? "2026-01-06" : PlannerSeed.TO));
    return new Case(q, new java.util.TreeMap<>(params));
  }
}
