package io.memfleet.launcher;

import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseOptions;
import io.memfleet.sql.migrate.Migration;
import io.memfleet.sql.migrate.MigrationReport;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code memfleet migrate}: the migrations against any ClickHouse, e.g. production. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Apply the ClickHouse migrations that are not applied yet, in order, and report"
        + " which branch each version-gated statement took.")
final class MigrateCommand implements Callable<Integer> {
  @Mixin ClickHouseOptions clickHouse;

  @Option(names = "--replicated-cluster", paramLabel = "CLUSTER",
      defaultValue = "${env:MEMFLEET_CLICKHOUSE_CLUSTER}",
      description = "Apply to this replicated ClickHouse cluster: DDL ON CLUSTER, MergeTree engines"
          + " as Replicated*MergeTree (MEMFLEET_CLICKHOUSE_CLUSTER; default: one server).")
  String replicatedCluster;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Read migrations from this directory instead of the ones bundled in memfleet.")
  Path dir;

  @Override
  public Integer call() throws Exception {
    List<Migration> migrations = dir != null ? MigrationSource.fromDirectory(dir)
        : MigrationSource.bundled();
    try (ClickHouseConnection ch = clickHouse.connect()) {
      MigrationReport report = MigrationRunner.builder(ch).database(clickHouse.database)
          .replicatedCluster(replicatedCluster).progress(System.out::println).build().migrate(migrations);
      System.out.println(report.applied().size() + " applied, " + report.alreadyApplied().size()
          + " already applied");
      for (String branch : report.branches()) {
        System.out.println("  branch: " + branch);
      }
    }
    return 0;
  }
}
