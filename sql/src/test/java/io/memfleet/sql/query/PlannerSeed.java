package io.memfleet.sql.query;

import io.memfleet.sql.SqlEndpoint;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationScript;
import io.memfleet.sql.migrate.MigrationSource;
import io.memfleet.sql.migrate.Statement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Test fixture: a database with memfleet's schema (the bundled migrations) and the planner seed
 * ({@code src/test/resources/seed/planner-seed.sql}: six processes in two clusters over
 * 2026-01-05..07, see the file's header for what each one does).
 */
final class PlannerSeed {
  static final String FROM = "2026-01-05 00:00:00";
  static final String TO = "2026-01-07 00:00:00";
  static final String RESOURCE = "/seed/planner-seed.sql";

  private PlannerSeed() {}

  static void apply(SqlEndpoint ch, String database) throws Exception {
    MigrationRunner.builder(ch).database(database).build().migrate(MigrationSource.bundled());
    String text;
    try (InputStream in = PlannerSeed.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IOException("no " + RESOURCE + " on the test class path");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (Statement s : MigrationScript.parse("planner-seed.sql",
        text.replace("${database}", database))) {
      ch.execute(s.sql());
    }
  }
}
