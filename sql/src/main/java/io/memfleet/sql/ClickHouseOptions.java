package io.memfleet.sql;

import picocli.CommandLine.Option;

/**
 * How a command reaches ClickHouse: the one declaration of these options, shared as a picocli
 * mixin by {@code migrate}, {@code query} and {@code alerts}. The password is never an option: it
 * is read from the environment variable that {@code --password-env} names.
 *
 * <pre>{@code
 * @Mixin ClickHouseOptions clickHouse;
 * try (ClickHouseConnection ch = clickHouse.connect()) { ... }
 * }</pre>
 */
public final class ClickHouseOptions {
  @Option(names = "--clickhouse-url",
      defaultValue = "${env:MEMFLEET_CLICKHOUSE_URL:-http://127.0.0.1:18123}",
      description = "ClickHouse HTTP endpoint (MEMFLEET_CLICKHOUSE_URL; default: ${DEFAULT-VALUE}).")
  public String url;

  @Option(names = "--user", defaultValue = "${env:MEMFLEET_CLICKHOUSE_USER:-default}",
      description = "ClickHouse user (MEMFLEET_CLICKHOUSE_USER; default: ${DEFAULT-VALUE}).")
  public String user;

  @Option(names = "--password-env", defaultValue = "MEMFLEET_CLICKHOUSE_PASSWORD",
      description = "Name of the environment variable holding the password (never on the command"
          + " line; default: ${DEFAULT-VALUE}).")
  public String passwordEnv;

  @Option(names = "--database", defaultValue = "${env:MEMFLEET_CLICKHOUSE_DATABASE:-memfleet}",
      description = "Database holding memfleet's tables (MEMFLEET_CLICKHOUSE_DATABASE; default:"
          + " ${DEFAULT-VALUE}).")
  public String database;

  /** A connection with these settings; the caller closes it. */
  public ClickHouseConnection connect() {
    return ClickHouseConnection.builder(url).user(user)
        .password(System.getenv().getOrDefault(passwordEnv, "")).build();
  }
}
