package io.memfleet.sql.query;

import io.memfleet.sql.SqlEndpoint;

/** Opens the planner seed fixture to tests in other packages. */
public final class PlannerSeedAccess {
  private PlannerSeedAccess() {}

  /** Migrates {@code database} and loads the planner seed into it. */
  public static void apply(SqlEndpoint ch, String database) throws Exception {
    PlannerSeed.apply(ch, database);
  }
}
