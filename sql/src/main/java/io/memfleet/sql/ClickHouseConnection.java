package io.memfleet.sql;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.command.CommandResponse;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One ClickHouse server as memfleet talks to it: the official {@code client-v2} over HTTP, set up so
 * that the same code works on the 18.16 server of the tests and on current releases — no HTTP
 * compression (18.16 answers compressed requests it cannot handle) and explicit text formats
 * (TabSeparated, JSONEachRow), because 18.16 lacks {@code RowBinaryWithNamesAndTypes}.
 *
 * <pre>{@code
 * try (ClickHouseConnection ch = ClickHouseConnection.builder("http://127.0.0.1:18123").build()) {
 *   ch.execute("CREATE DATABASE IF NOT EXISTS memfleet");
 *   List<List<String>> rows = ch.queryTsv("SELECT name FROM system.tables");
 * }
 * }</pre>
 *
 * <p>Thread-safe: the underlying client is.
 */
public final class ClickHouseConnection implements AutoCloseable {
  private final Client client;
  private final String url;
  private final long timeoutSeconds;

  private ClickHouseConnection(Builder b) {
    this.url = b.url;
    this.timeoutSeconds = b.timeoutSeconds;
    this.client = new Client.Builder()
        .addEndpoint(b.url)
        .setUsername(b.user)
        .setPassword(b.password)
        .compressServerResponse(false)
        .compressClientRequest(false)
        .useHttpCompression(false)
        .setConnectTimeout(5, ChronoUnit.SECONDS)
        .setSocketTimeout(b.timeoutSeconds, ChronoUnit.SECONDS)
        .build();
  }

  public static Builder builder(String url) {
    return new Builder(url);
  }

  public String url() {
    return url;
  }

  /** Runs a statement that returns no rows (DDL, INSERT … SELECT). */
  public void execute(String sql) throws ClickHouseException {
    try (CommandResponse ignored = client.execute(sql).get(timeoutSeconds, TimeUnit.SECONDS)) {
      // the response carries only summary counters
    } catch (Exception e) {
      throw ClickHouseException.from(sql, e);
    }
  }

  /** Runs a query and returns its rows in TabSeparated form, cells unescaped. */
  public List<List<String>> queryTsv(String sql) throws ClickHouseException {
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
  public String queryValue(String sql) throws ClickHouseException {
    List<List<String>> rows = queryTsv(sql);
    if (rows.size() != 1 || rows.get(0).size() != 1) {
      throw new ClickHouseException("expected one value from `" + sql + "`, got " + rows);
    }
    return rows.get(0).get(0);
  }

  /** Runs a query and returns the raw response body in the given text format. */
  public String queryText(String sql, ClickHouseFormat format) throws ClickHouseException {
    QuerySettings settings = new QuerySettings().setFormat(format);
    try (QueryResponse response = client.query(sql, settings).get(timeoutSeconds, TimeUnit.SECONDS);
         InputStream in = response.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw ClickHouseException.from(sql, e);
    }
  }

  /**
   * Inserts rows given as JSON objects (one per element, JSONEachRow) into {@code table} in one
   * INSERT, which ClickHouse applies as one block: all rows or none.
   */
  public void insertJsonEachRow(String table, List<String> rows) throws ClickHouseException {
    StringBuilder body = new StringBuilder();
    for (String row : rows) {
      body.append(row).append('\n');
    }
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    try (var ignored = client.insert(table, new java.io.ByteArrayInputStream(bytes),
        ClickHouseFormat.JSONEachRow).get(timeoutSeconds, TimeUnit.SECONDS)) {
      // the response carries only summary counters
    } catch (Exception e) {
      throw ClickHouseException.from("INSERT INTO " + table + " FORMAT JSONEachRow (" + rows.size()
          + " rows)", e);
    }
  }

  /** Whether the server answers a trivial query now. */
  public boolean isReachable() {
    try {
      queryValue("SELECT 1");
      return true;
    } catch (ClickHouseException e) {
      return false;
    }
  }

  /** The server's version, e.g. {@code 18.16.1} or {@code 26.3.2.1}. */
  public ServerVersion serverVersion() throws ClickHouseException {
    return ServerVersion.parse(queryValue("SELECT version()"));
  }

  /** The client, for inserts and streaming reads. */
  public Client client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
  }

  /** Builder with laptop defaults: user {@code default}, empty password, 60 s timeout. */
  public static final class Builder {
    private final String url;
    private String user = "default";
    private String password = "";
    private long timeoutSeconds = 60;

    private Builder(String url) {
      this.url = Objects.requireNonNull(url, "url");
    }

    public Builder user(String user) {
      this.user = Objects.requireNonNull(user);
      return this;
    }

    public Builder password(String password) {
      this.password = Objects.requireNonNull(password);
      return this;
    }

    public Builder timeoutSeconds(long timeoutSeconds) {
      this.timeoutSeconds = timeoutSeconds;
      return this;
    }

    public ClickHouseConnection build() {
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new IllegalArgumentException("ClickHouse URL must be http(s)://host:port, got " + url);
      }
      if (timeoutSeconds <= 0) {
        throw new IllegalArgumentException("timeout must be positive: " + timeoutSeconds);
      }
      return new ClickHouseConnection(this);
    }
  }

  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static boolean isTimeout(Throwable e) {
    return e instanceof TimeoutException;
  }

  static IOException asIo(Throwable e) {
    return e instanceof IOException io ? io : new IOException(e);
  }
}
