package io.memfleet.sql;

import com.clickhouse.data.ClickHouseFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Somewhere memfleet's SQL runs: a ClickHouse server over HTTP ({@link ClickHouseConnection}) or
 * ClickHouse embedded in-process through chDB ({@link io.memfleet.sql.chdb.ChDbSession}). The
 * migration runner and the planner-query runner take this, so the same migrations and queries are
 * proven on the 18.16 server and on ClickHouse 26.x.
 *
 * <pre>{@code
 * try (SqlEndpoint ch = ClickHouseConnection.builder("http://127.0.0.1:18123").build()) {
 *   ch.execute("CREATE DATABASE IF NOT EXISTS memfleet");
 *   ServerVersion v = ch.serverVersion();
 * }
 * }</pre>
 */
public interface SqlEndpoint extends AutoCloseable {

  /** Where the statements go, for messages: a URL, or {@code chdb:<data dir>}. */
  String url();

  /** Runs a statement that returns no rows (DDL, INSERT … VALUES, INSERT … SELECT). */
  void execute(String sql) throws ClickHouseException;

  /**
   * Runs a query and returns the response body in {@code format} as the engine wrote it. A
   * {@code FORMAT} clause in the SQL takes precedence, as it does on the server.
   */
  String queryText(String sql, ClickHouseFormat format) throws ClickHouseException;

  /** Runs a query and returns its rows in TabSeparated form, cells unescaped. */
  default List<List<String>> queryTsv(String sql) throws ClickHouseException {
    String body = queryText(sql, ClickHouseFormat.TabSeparated);
    List<List<String>> rows = new ArrayList<>();
    for (String line : body.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      List<String> cells = new ArrayList<>();
      for (String cell : line.split("\t", -1)) {
        cells.add(TabSeparated.unescape(cell));
      }
      rows.add(cells);
    }
    return rows;
  }

  /** The single value of a one-row, one-column query. */
  default String queryValue(String sql) throws ClickHouseException {
    List<List<String>> rows = queryTsv(sql);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new ClickHouseException("expected one value from `" + sql + "`, got " + rows);
    }
    return rows.get(0).get(0);
  }

  /** Whether the engine answers a trivial query now. */
  default boolean isReachable() {
    try {
      queryValue("SELECT 1");
      return true;
    } catch (ClickHouseException e) {
      return false;
    }
  }

  /** The engine's ClickHouse version, e.g. {@code 18.16.1} or {@code 26.7.2.1}. */
  default ServerVersion serverVersion() throws ClickHouseException {
    return ServerVersion.parse(queryValue("SELECT version()"));
  }

  @Override
  void close();
}
