package io.memfleet.sql.chdb;

import com.clickhouse.data.ClickHouseFormat;
import io.memfleet.sql.ClickHouseException;
import io.memfleet.sql.ServerVersion;
import io.memfleet.sql.SqlEndpoint;
import io.memfleet.sql.chdb.internal.JsonLine;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ClickHouse 26.x embedded through chDB, as a {@link SqlEndpoint}: a persistent chDB
 * {@code Session} on a data directory, run by Node.js in a child process (the bridge script
 * {@code sql/chdb/chdb-session.js}, shipped in this jar) and driven over a JSON line
 * protocol on its stdin/stdout. The migration runner and the planner-query runner work on it
 * unchanged, so the 26.x test stage runs exactly what production runs.
 *
 * <pre>{@code
 * try (ChDbSession ch = ChDbSession.open(tempDir.resolve("chdb"), ChDbOptions.fromEnvironment())) {
 *   ch.serverVersion();                       // 26.7.2.1
 *   MigrationRunner.builder(ch).database("memfleet").build().migrate(MigrationSource.bundled());
 * }
 * }</pre>
 *
 * <p>Statements run one at a time (calls are serialized). A statement that outlives the timeout
 * ends the session: the child is killed, since the engine cannot be interrupted mid-query. One
 * data directory belongs to one session at a time.
 */
public final class ChDbSession implements SqlEndpoint {
  private static final String SCRIPT = "/memfleet/sql/chdb/chdb-session.js";
  private static final Object EOF = new Object();
  private static final int STDERR_LINES_KEPT = 40;

  private final Path dataDir;
  private final ChDbOptions options;
  private final Process process;
  private final BufferedWriter requests;
  private final BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
  private final Deque<String> stderrTail = new ArrayDeque<>();
  private final AtomicLong strayLines = new AtomicLong();
  private final String version;
  private long nextId = 1;
  private boolean closed;

  private ChDbSession(Path dataDir, ChDbOptions options, Process process)
      throws ClickHouseException {
    this.dataDir = dataDir;
    this.options = options;
    this.process = process;
    this.requests = new BufferedWriter(
        new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    daemon("chdb-stdout", () -> readResponses(process.getInputStream()));
    daemon("chdb-stderr", () -> drainStderr(process.getErrorStream()));
    // request 0 is implicit: the bridge answers it with the version once the session is open
    this.version = await(0, "SELECT version() -- opening the session");
  }

  /**
   * Starts a session on {@code dataDir} (created if missing; an existing one is reopened with its
   * databases).
   *
   * @throws ClickHouseException when chDB is missing ({@link ChDbOptions#missing()}) or the engine
   *     does not start
   */
  public static ChDbSession open(Path dataDir, ChDbOptions options) throws ClickHouseException {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(options, "options");
    String missing = options.missing().orElse(null);
    if (missing != null) {
      throw new ClickHouseException("cannot start chDB: " + missing);
    }
    Path script = null;
    try {
      Files.createDirectories(dataDir);
      script = Files.createTempFile("memfleet-chdb-session", ".js");
      try (InputStream in = ChDbSession.class.getResourceAsStream(SCRIPT)) {
        if (in == null) {
          throw new IOException("no " + SCRIPT + " on the class path");
        }
        Files.write(script, in.readAllBytes());
      }
      ProcessBuilder pb = new ProcessBuilder(options.nodeBinary().orElseThrow().toString(),
          script.toString(), options.moduleDir().toString(), dataDir.toAbsolutePath().toString());
      pb.environment().put("TZ", options.timezone());
      Process process = pb.start();
      try {
        return new ChDbSession(dataDir, options, process);
      } catch (ClickHouseException | RuntimeException e) {
        process.destroyForcibly();
        throw e;
      }
    } catch (IOException e) {
      throw new ClickHouseException("cannot start chDB (" + options + "): " + e.getMessage(), e);
    } finally {
      if (script != null) {
        deleteQuietly(script); // node has read it by the time the session answered, or failed
      }
    }
  }

  /** {@code chdb:<data dir>}. */
  @Override
  public String url() {
    return "chdb:" + dataDir.toAbsolutePath();
  }

  /** The engine's version as reported when the session opened (26.7.2.1 for chDB 3.4.0). */
  @Override
  public ServerVersion serverVersion() {
    return ServerVersion.parse(version);
  }

  @Override
  public void execute(String sql) throws ClickHouseException {
    request(sql, ClickHouseFormat.TabSeparated.name());
  }

  @Override
  public String queryText(String sql, ClickHouseFormat format) throws ClickHouseException {
    return request(sql, format.name());
  }

  /** Lines on the bridge's stdout that were not protocol responses (engine noise), so far. */
  public long strayLines() {
    return strayLines.get();
  }

  private synchronized String request(String sql, String format) throws ClickHouseException {
    if (closed) {
      throw new ClickHouseException("chDB session " + url() + " is closed");
    }
    long id = nextId++;
    try {
      requests.write(JsonLine.request(id, sql, format));
      requests.write('\n');
      requests.flush();
    } catch (IOException e) {
      throw new ClickHouseException("chDB process is gone (" + exitStatus() + ") — statement: "
          + sql.strip().lines().findFirst().orElse(""), e);
    }
    return await(id, sql);
  }

  private String await(long id, String sql) throws ClickHouseException {
    long deadline = System.nanoTime() + options.timeout().toNanos();
    try {
      while (true) {
        Object next = responses.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (next == null) {
          process.destroyForcibly();
          closed = true;
          throw ClickHouseException.forStatement(sql, "chDB did not answer within "
              + options.timeout().toSeconds() + " s; the session was ended");
        }
        if (next == EOF) {
          closed = true;
          throw ClickHouseException.forStatement(sql, "chDB process ended (" + exitStatus() + ")"
              + stderrSummary());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) next;
        Object rid = r.get("id");
        if (!(rid instanceof Double d) || d.longValue() != id) {
          throw ClickHouseException.forStatement(sql, "chDB bridge answered request " + rid
              + " while " + id + " was expected: " + r.get("error"));
        }
        if (Boolean.TRUE.equals(r.get("ok"))) {
          return Objects.toString(r.get("data"), "");
        }
        String error = Objects.toString(r.get("error"), "unknown error");
        throw ClickHouseException.forStatement(sql, error.replaceFirst("^Query failed: ", ""));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ClickHouseException.forStatement(sql, "interrupted while waiting for chDB");
    }
  }

  private void readResponses(InputStream stdout) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.startsWith("{\"id\":")) {
          keepStray(line);
          continue;
        }
        try {
          responses.add(JsonLine.parseObject(line));
        } catch (IllegalArgumentException e) {
          keepStray(line);
        }
      }
    } catch (IOException e) {
      // the process was destroyed; EOF below tells the waiting caller
    } finally {
      responses.add(EOF);
    }
  }

  private void keepStray(String line) {
    strayLines.incrementAndGet();
    remember("stdout: " + line);
  }

  private void drainStderr(InputStream stderr) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        remember(line);
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  private void remember(String line) {
    synchronized (stderrTail) {
      stderrTail.addLast(line.length() > 500 ? line.substring(0, 500) + "..." : line);
      while (stderrTail.size() > STDERR_LINES_KEPT) {
        stderrTail.removeFirst();
      }
    }
  }

  private String stderrSummary() {
    List<String> lines;
    synchronized (stderrTail) {
      lines = List.copyOf(stderrTail);
    }
    return lines.isEmpty() ? "" : "; its last output:\n  " + String.join("\n  ", lines);
  }

  private String exitStatus() {
    try {
      if (process.waitFor(2, TimeUnit.SECONDS)) {
        return "exit code " + process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "still running";
  }

  /** Ends the session: closes the bridge's stdin so chDB closes its data directory cleanly. */
  @Override
  public synchronized void close() {
    closed = true;
    try {
      requests.close();
    } catch (IOException e) {
      // already gone
    }
    try {
      if (!process.waitFor(options.timeout().toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a temp file left behind is harmless
    }
  }

  @Override
  public String toString() {
    return "ChDbSession[" + url() + ", ClickHouse " + version + "]";
  }
}
