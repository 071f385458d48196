package io.memfleet.sql;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.command.CommandResponse;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One ClickHouse server as memfleet talks to it ({@link SqlEndpoint} over HTTP): the official {@code client-v2} over HTTP, set up so
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
public final class ClickHouseConnection implements SqlEndpoint {
  private final Client client;
  private final String url;
  private final long timeoutSeconds;

  private ClickHouseConnection(Builder b, String password) {
    this.url = b.url;
    this.timeoutSeconds = b.timeoutSeconds;
    Client.Builder client = new Client.Builder()
        .addEndpoint(b.url)
        .setUsername(b.user)
        .setPassword(password)
        .compressServerResponse(false)
        .compressClientRequest(false)
        .useHttpCompression(false)
        .setConnectTimeout(5, ChronoUnit.SECONDS)
        .setSocketTimeout(b.timeoutSeconds, ChronoUnit.SECONDS);
    if (b.caFile != null) {
      client.setRootCertificate(b.caFile);
    }
    this.client = client.build();
  }

  public static Builder builder(String url) {
    return new Builder(url);
  }

  @Override
  public String url() {
    return url;
  }

  @Override
  public void execute(String sql) throws ClickHouseException {
    try (CommandResponse ignored = client.execute(sql).get(timeoutSeconds, TimeUnit.SECONDS)) {
      // the response carries only summary counters
    } catch (Exception e) {
      throw ClickHouseException.from(sql, e);
    }
  }

  @Override
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
    insertJsonEachRow(table, rows, null);
  }

  /**
   * As {@link #insertJsonEachRow(String, List)}, run under {@code queryId} (when not null): the
   * server refuses a second query with an id that still runs, and {@code system.processes} shows
   * whether it does — how a retry learns that an INSERT it gave up on is still going.
   */
  public void insertJsonEachRow(String table, List<String> rows, String queryId)
      throws ClickHouseException {
    StringBuilder body = new StringBuilder();
    for (String row : rows) {
      body.append(row).append('\n');
    }
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    com.clickhouse.client.api.insert.InsertSettings settings =
        new com.clickhouse.client.api.insert.InsertSettings();
    if (queryId != null) {
      settings.setQueryId(queryId);
    }
    try (var ignored = client.insert(table, new java.io.ByteArrayInputStream(bytes),
        ClickHouseFormat.JSONEachRow, settings).get(timeoutSeconds, TimeUnit.SECONDS)) {
      // the response carries only summary counters
    } catch (Exception e) {
      throw ClickHouseException.from("INSERT INTO " + table + " FORMAT JSONEachRow (" + rows.size()
          + " rows)", e);
    }
  }

  /** The client, for inserts and streaming reads. */
  public Client client() {
    return client;
  }

  @Override
  public void close() {
    client.close();
  }

  /**
   * Builder with laptop defaults: user {@code default}, empty password, 60 s timeout, the JVM's
   * trusted CAs for {@code https://}.
   */
  public static final class Builder {
    private final String url;
    private String user = "default";
    private String password = "";
    private String passwordFile;
    private String caFile;
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

    /**
     * The password from {@code passwordFile} when given (a mounted Secret; a trailing line break
     * is not part of it), else from the environment variable {@code passwordEnv} (empty when
     * unset). Read by {@link #build()}, in the process that connects.
     */
    public Builder passwordFrom(String passwordFile, String passwordEnv) {
      this.passwordFile = passwordFile == null || passwordFile.isBlank() ? null : passwordFile;
      if (this.passwordFile == null) {
        this.password = passwordEnv == null ? "" : System.getenv().getOrDefault(passwordEnv, "");
      }
      return this;
    }

    /**
     * PEM file of the CA certificates an {@code https://} server's certificate must chain to;
     * null or blank for the JVM's trusted CAs.
     */
    public Builder caFile(String caFile) {
      this.caFile = caFile == null || caFile.isBlank() ? null : caFile;
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
      if (caFile != null && !url.startsWith("https://")) {
        throw new IllegalArgumentException("a ClickHouse CA file is set but the URL is not"
            + " https://: " + url);
      }
      if (caFile != null && !Files.isReadable(Path.of(caFile))) {
        throw new IllegalArgumentException("cannot read the ClickHouse CA file " + caFile);
      }
      return new ClickHouseConnection(this, passwordFile != null ? readPassword(passwordFile)
          : password);
    }

    private static String readPassword(String file) {
      String p;
      try {
        p = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("cannot read the ClickHouse password file " + file
            + ": " + e);
      }
      return p.endsWith("\r\n") ? p.substring(0, p.length() - 2)
          : p.endsWith("\n") ? p.substring(0, p.length() - 1) : p;
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
