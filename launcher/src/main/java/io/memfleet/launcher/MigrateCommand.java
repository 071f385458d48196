package io.memfleet.launcher;

import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.migrate.Migration;
import io.memfleet.sql.migrate.MigrationReport;
import io.memfleet.sql.migrate.MigrationRunner;
import io.memfleet.sql.migrate.MigrationSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code memfleet migrate}: the migrations against any ClickHouse, e.g. production. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Apply the ClickHouse migrations that are not applied yet, in order, and report"
        + " which branch each version-gated statement took.")
final class MigrateCommand implements Callable<Integer> {
  @Option(names = "--clickhouse-url",
      defaultValue = "${env:MEMFLEET_CLICKHOUSE_URL:-http://127.0.0.1:18123}",
      description = "ClickHouse HTTP endpoint (MEMFLEET_CLICKHOUSE_URL; default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--user", defaultValue = "${env:MEMFLEET_CLICKHOUSE_USER:-default}",
      description = "ClickHouse user (MEMFLEET_CLICKHOUSE_USER; default: ${DEFAULT-VALUE}).")
  String user;

  @Option(names = "--password-env", defaultValue = "MEMFLEET_CLICKHOUSE_PASSWORD",
      description = "Name of the environment variable holding the password (never on the command"
          + " line; default: ${DEFAULT-VALUE}).")
  String passwordEnv;

  @Option(names = "--database", defaultValue = "${env:MEMFLEET_CLICKHOUSE_DATABASE:-memfleet}",
      description = "Target database (MEMFLEET_CLICKHOUSE_DATABASE; default: ${DEFAULT-VALUE}).")
  String database;

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
    String password = System.getenv().getOrDefault(passwordEnv, "");
    try (ClickHouseConnection ch = ClickHouseConnection.builder(url).user(user).password(password)
        .build()) {
      MigrationReport report = MigrationRunner.builder(ch).database(database)
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
