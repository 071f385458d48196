package io.memfleet.sql.migrate;

import io.memfleet.sql.ClickHouseException;
import io.memfleet.sql.ServerVersion;
import io.memfleet.sql.SqlEndpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Applies {@code sql/migrations} to one ClickHouse database, in version order, each at most
 * once — on a server ({@link io.memfleet.sql.ClickHouseConnection}) or on embedded ClickHouse 26.x
 * ({@link io.memfleet.sql.chdb.ChDbSession}), both {@link SqlEndpoint}s.
 *
 * <p>Applied migrations are recorded in {@code <database>.schema_migrations} with their checksum and
 * the gate branches taken. ClickHouse has no transactional DDL, so migrations are written to be
 * re-runnable ({@code IF NOT EXISTS}); a migration is recorded only after all its statements
 * succeeded, and the first failure stops the run with the file, statement and server error.
 *
 * <pre>{@code
 * MigrationReport report = MigrationRunner.builder(connection)
 *     .database("memfleet").progress(System.out::println).build()
 *     .migrate(MigrationSource.bundled());
 * }</pre>
 */
public final class MigrationRunner {
  private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final SqlEndpoint ch;
  private final String database;
  private final Consumer<String> progress;
  private final ReplicatedRewriter replicated;

  private MigrationRunner(Builder b) {
    this.ch = b.connection;
    this.database = b.database;
    this.progress = b.progress;
    this.replicated = b.cluster == null ? null : new ReplicatedRewriter(b.cluster);
  }

  public static Builder builder(SqlEndpoint connection) {
    return new Builder(connection);
  }

  public MigrationReport migrate(List<Migration> migrations) throws MigrationException {
    ServerVersion version;
    Map<Integer, String> recorded;
    try {
      version = ch.serverVersion();
      ch.execute(forTarget("CREATE DATABASE IF NOT EXISTS " + database));
      ch.execute(forTarget("CREATE TABLE IF NOT EXISTS " + database + ".schema_migrations ("
          + " version UInt32, name String, checksum String, applied_at DateTime,"
          + " server_version String, branches String"
          + ") ENGINE = MergeTree() ORDER BY version"));
      recorded = recordedChecksums();
    } catch (ClickHouseException e) {
      throw new MigrationException("cannot prepare migrations on " + ch.url() + ": " + e.getMessage(), e);
    }
    progress.accept("ClickHouse " + version + " at " + ch.url() + ", database " + database);
    List<String> applied = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> branches = new ArrayList<>();
    for (Migration m : migrations) {
      String done = recorded.get(m.version());
      if (done != null) {
        if (!done.equals(m.checksum())) {
          throw new MigrationException(m.fileName() + " was changed after it was applied (checksum "
              + done.substring(0, 12) + "… recorded, file has " + m.checksum().substring(0, 12)
              + "…); add a new migration instead of editing an applied one");
        }
        skipped.add(m.fileName());
        continue;
      }
      List<String> taken = apply(m, version);
      branches.addAll(taken);
      record(m, version, taken);
      applied.add(m.fileName());
      progress.accept("  applied " + m.fileName() + (taken.isEmpty() ? "" : " " + taken));
    }
    if (applied.isEmpty()) {
      progress.accept("  schema up to date (" + skipped.size() + " migrations applied before)");
    }
    return new MigrationReport(version.toString(), applied, skipped, branches);
  }

  private List<String> apply(Migration m, ServerVersion version) throws MigrationException {
    List<String> taken = new ArrayList<>();
    for (Statement s : m.statements()) {
      if (s.gate().isPresent()) {
        Statement.Gate gate = s.gate().get();
        if (!gate.selectedOn(version)) {
          continue;
        }
        String line = m.fileName() + " gate " + gate.id() + ": " + gate.branchName();
        if (!taken.contains(line)) {
          taken.add(line);
        }
      }
      try {
        ch.execute(forTarget(inDatabase(s.sql())));
      } catch (ClickHouseException e) {
        throw new MigrationException("migration " + m.fileName() + " failed at the statement on line "
            + s.line() + " (server " + version + "); nothing after it was applied.\nstatement: "
            + s.sql() + "\nserver error: " + serverError(e), e);
      }
    }
    return taken;
  }

  private static String serverError(ClickHouseException e) {
    return e.getCause() != null ? String.valueOf(e.getCause()) : e.getMessage();
  }

  /** On a replicated cluster: ON CLUSTER and Replicated* engines; on one server: as written. */
  private String forTarget(String sql) {
    return replicated == null ? sql : replicated.rewrite(sql);
  }

  /** Migrations qualify every table as {@code ${database}.name}; the runner fills in its database. */
  private String inDatabase(String sql) {
    return sql.replace("${database}", database);
  }

  private Map<Integer, String> recordedChecksums() throws ClickHouseException {
    Map<Integer, String> recorded = new HashMap<>();
    for (List<String> row : ch.queryTsv("SELECT version, checksum FROM " + database
        + ".schema_migrations")) {
      recorded.put(Integer.parseInt(row.get(0)), row.get(1));
    }
    return recorded;
  }

  private void record(Migration m, ServerVersion version, List<String> taken)
      throws MigrationException {
    try {
      ch.execute("INSERT INTO " + database + ".schema_migrations"
          + " (version, name, checksum, applied_at, server_version, branches) VALUES ("
          + m.version() + ", " + quote(m.fileName()) + ", " + quote(m.checksum()) + ", now(), "
          + quote(version.toString()) + ", " + quote(String.join("; ", taken)) + ")");
    } catch (ClickHouseException e) {
      throw new MigrationException("applied " + m.fileName() + " but could not record it: "
          + e.getMessage(), e);
    }
  }

  /** A ClickHouse string literal; used only for values this runner produced itself. */
  static String quote(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** Builder; the database defaults to {@code memfleet}. */
  public static final class Builder {
    private final SqlEndpoint connection;
    private String database = "memfleet";
    private Consumer<String> progress = line -> { };
    private String cluster;

    private Builder(SqlEndpoint connection) {
      this.connection = Objects.requireNonNull(connection, "connection");
    }

    public Builder database(String database) {
      this.database = Objects.requireNonNull(database, "database");
      return this;
    }

    public Builder progress(Consumer<String> progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /**
     * Apply to a replicated cluster of this name (as in the server's {@code remote_servers}): DDL
     * runs {@code ON CLUSTER} and MergeTree engines become Replicated*; null (default) = one server.
     */
    public Builder replicatedCluster(String cluster) {
      this.cluster = cluster == null || cluster.isBlank() ? null : cluster;
      return this;
    }

    public MigrationRunner build() {
      if (!DATABASE_NAME.matcher(database).matches()) {
        throw new IllegalArgumentException("database name must be an identifier: " + database);
      }
      return new MigrationRunner(this);
    }
  }
}
