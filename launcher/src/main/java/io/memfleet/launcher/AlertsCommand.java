package io.memfleet.launcher;

import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseOptions;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code memfleet alerts}: the current alerts from ClickHouse, newest first. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
    description = "List alerts (newest version of each) from ClickHouse, newest first.")
final class AlertsCommand implements Callable<Integer> {
  @Mixin ClickHouseOptions clickHouse;

  @Option(names = "--limit", defaultValue = "50", description = "At most this many (default 50).")
  int limit;

  @Option(names = "--all", description = "Include RESOLVED alerts.")
  boolean all;

  @Override
  public Integer call() throws Exception {
    String database = clickHouse.database;
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]*") || limit < 1) {
      throw new IllegalArgumentException("--database must be an identifier and --limit positive");
    }
    try (ClickHouseConnection ch = clickHouse.connect()) {
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
