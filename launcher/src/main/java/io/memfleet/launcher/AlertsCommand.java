package io.memfleet.launcher;

import io.memfleet.sql.ClickHouseConnection;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code memfleet alerts}: the current alerts from ClickHouse, newest first. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
    description = "List alerts (newest version of each) from ClickHouse, newest first.")
final class AlertsCommand implements Callable<Integer> {
  @Option(names = "--clickhouse-url",
      defaultValue = "${env:MEMFLEET_CLICKHOUSE_URL:-http://127.0.0.1:18123}",
      description = "ClickHouse HTTP endpoint (MEMFLEET_CLICKHOUSE_URL; default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--user", defaultValue = "${env:MEMFLEET_CLICKHOUSE_USER:-default}",
      description = "ClickHouse user (MEMFLEET_CLICKHOUSE_USER; default: ${DEFAULT-VALUE}).")
  String user;

  @Option(names = "--database", defaultValue = "${env:MEMFLEET_CLICKHOUSE_DATABASE:-memfleet}",
      description = "Database (MEMFLEET_CLICKHOUSE_DATABASE; default: ${DEFAULT-VALUE}).")
  String database;

  @Option(names = "--limit", defaultValue = "50", description = "At most this many (default 50).")
  int limit;

  @Option(names = "--all", description = "Include RESOLVED alerts.")
  boolean all;

  @Override
  public Integer call() throws Exception {
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]*") || limit < 1) {
      throw new IllegalArgumentException("--database must be an identifier and --limit positive");
    }
    String password = System.getenv().getOrDefault("MEMFLEET_CLICKHOUSE_PASSWORD", "");
    try (ClickHouseConnection ch = ClickHouseConnection.builder(url).user(user).password(password)
        .build()) {
      List<List<String>> rows = ch.queryTsv("SELECT toString(updated_at), status, severity, rule,"
          + " cluster, service, node, toString(pid), round(growth_bytes_per_sec / 1048576, 3),"
          + " if(time_to_oom_sec > 0, toString(round(time_to_oom_sec)), ''), summary"
          + " FROM " + database + ".alerts FINAL"
          + (all ? "" : " WHERE status != 'RESOLVED'")
          + " ORDER BY last_seen_utc_ns DESC LIMIT " + limit);
      TextTable.print(System.out, List.of("updated (UTC)", "status", "severity", "rule", "cluster",
          "service", "node", "pid", "MiB/s", "OOM in s", "summary"), rows);
    }
    return 0;
  }
}
