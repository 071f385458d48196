package io.memfleet.sql;

import picocli.CommandLine.Option;

/**
 * How a command reaches ClickHouse: the one declaration of these options, shared as a picocli
 * mixin by {@code migrate}, {@code query}, {@code alerts} and {@code explain}. The password is
 * never an option: it is read from the file {@code --password-file} names or from the environment
 * variable {@code --password-env} names. For TLS, an {@code https://} URL and, for a private CA,
 * {@code --clickhouse-ca-file}.
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

  @Option(names = "--password-file", paramLabel = "FILE",
      defaultValue = "${env:MEMFLEET_CLICKHOUSE_PASSWORD_FILE}",
      description = "File holding the password, e.g. a mounted Secret; wins over --password-env"
          + " (MEMFLEET_CLICKHOUSE_PASSWORD_FILE).")
  public String passwordFile;

  @Option(names = "--clickhouse-ca-file", paramLabel = "PEM",
      defaultValue = "${env:MEMFLEET_CLICKHOUSE_CA_FILE}",
      description = "PEM file of the CA certificates an https:// server's certificate must chain"
          + " to (MEMFLEET_CLICKHOUSE_CA_FILE; default: the JVM's trusted CAs).")
  public String caFile;

  @Option(names = "--database", defaultValue = "${env:MEMFLEET_CLICKHOUSE_DATABASE:-memfleet}",
      description = "Database holding memfleet's tables (MEMFLEET_CLICKHOUSE_DATABASE; default:"
          + " ${DEFAULT-VALUE}).")
  public String database;

  /** A connection with these settings; the caller closes it. */
  public ClickHouseConnection connect() {
    return ClickHouseConnection.builder(url).user(user).passwordFrom(passwordFile, passwordEnv)
        .caFile(caFile).build();
  }
}
