package io.memfleet.sql.chdb;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where chDB (ClickHouse 26.x as an embedded engine, npm package {@code chdb}) is installed and how
 * a {@link ChDbSession} runs it. Every setting has a laptop default and an environment variable:
 *
 * <table>
 * <caption>chDB settings</caption>
 * <tr><th>setting</th><th>environment</th><th>default</th><th>meaning</th></tr>
 * <tr><td>home</td><td>MEMFLEET_CHDB_HOME</td><td>~/.cache/memfleet/chdb</td>
 *     <td>per-machine cache that {@code sql/chdb/install.sh} installs into</td></tr>
 * <tr><td>version</td><td>MEMFLEET_CHDB_VERSION</td><td>3.4.0</td>
 *     <td>npm version of {@code chdb}; installed under {@code home/version}</td></tr>
 * <tr><td>node</td><td>MEMFLEET_NODE</td><td>node</td>
 *     <td>the Node.js binary (a name looked up on PATH, or a path)</td></tr>
 * <tr><td>timezone</td><td>MEMFLEET_CHDB_TIMEZONE</td><td>UTC</td>
 *     <td>the engine's time zone (as the TZ of its process), UTC like the test server</td></tr>
 * <tr><td>timeout</td><td>MEMFLEET_CHDB_TIMEOUT_SECONDS</td><td>60</td>
 *     <td>longest wait for start-up and for one statement</td></tr>
 * </table>
 *
 * <pre>{@code
 * ChDbOptions o = ChDbOptions.fromEnvironment();
 * if (o.missing().isEmpty()) {
 *   try (ChDbSession s = ChDbSession.open(dataDir, o)) { ... }
 * }
 * }</pre>
 */
public final class ChDbOptions {
  /** The chDB release memfleet's 26.x stage is verified with (ClickHouse 26.7). */
  public static final String DEFAULT_VERSION = "3.4.0";

  private final Path home;
  private final String version;
  private final String node;
  private final String timezone;
  private final Duration timeout;

  private ChDbOptions(Builder b) {
    this.home = b.home;
    this.version = b.version;
    this.node = b.node;
    this.timezone = b.timezone;
    this.timeout = b.timeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults overridden by this process's MEMFLEET_CHDB_* / MEMFLEET_NODE variables. */
  public static ChDbOptions fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  static ChDbOptions fromEnvironment(Map<String, String> env) {
    Builder b = builder();
    set(env, "MEMFLEET_CHDB_HOME", v -> b.home(Path.of(v)));
    set(env, "MEMFLEET_CHDB_VERSION", b::version);
    set(env, "MEMFLEET_NODE", b::node);
    set(env, "MEMFLEET_CHDB_TIMEZONE", b::timezone);
    set(env, "MEMFLEET_CHDB_TIMEOUT_SECONDS", v -> {
      try {
        b.timeout(Duration.ofSeconds(Long.parseLong(v.trim())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("MEMFLEET_CHDB_TIMEOUT_SECONDS must be whole seconds: "
            + v);
      }
    });
    return b.build();
  }

  private static void set(Map<String, String> env, String name,
      java.util.function.Consumer<String> setter) {
    String v = env.get(name);
    if (v != null && !v.isBlank()) {
      setter.accept(v);
    }
  }

  public Path home() {
    return home;
  }

  public String version() {
    return version;
  }

  public String node() {
    return node;
  }

  public String timezone() {
    return timezone;
  }

  public Duration timeout() {
    return timeout;
  }

  /** {@code home/version}: what {@code sql/chdb/install.sh} fills. */
  public Path installDir() {
    return home.resolve(version);
  }

  /** The {@code chdb} package, which the bridge script {@code require}s. */
  public Path moduleDir() {
    return installDir().resolve("node_modules/chdb");
  }

  /** The engine itself. */
  public Path library() {
    return installDir().resolve("node_modules/@chdb/lib-linux-x64-gnu/libchdb.so");
  }

  /** The node binary to start: {@link #node()} if it is a path, else its first match on PATH. */
  public Optional<Path> nodeBinary() {
    if (node.contains(File.separator)) {
      Path p = Path.of(node);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, node))) {
        return Optional.of(Path.of(dir, node));
      }
    }
    return Optional.empty();
  }

  /** What is missing to open a session, with how to fix it; empty when chDB can run here. */
  public Optional<String> missing() {
    if (nodeBinary().isEmpty()) {
      return Optional.of("Node.js ('" + node + "') is not on the PATH; chDB runs through it");
    }
    if (!Files.isRegularFile(library()) || !Files.isRegularFile(moduleDir().resolve("index.js"))) {
      return Optional.of("chDB " + version + " is not installed in " + installDir()
          + "; run sql/chdb/install.sh (./memfleet test does)");
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return "chDB " + version + " in " + installDir() + " (node " + node + ", TZ " + timezone
        + ", timeout " + timeout.toSeconds() + " s)";
  }

  /** Builder with the defaults in the class comment. */
  public static final class Builder {
    private Path home = Path.of(System.getProperty("user.home"), ".cache", "memfleet", "chdb");
    private String version = DEFAULT_VERSION;
    private String node = "node";
    private String timezone = "UTC";
    private Duration timeout = Duration.ofSeconds(60);

    private Builder() {}

    public Builder home(Path home) {
      this.home = Objects.requireNonNull(home, "home");
      return this;
    }

    public Builder version(String version) {
      this.version = Objects.requireNonNull(version, "version").trim();
      return this;
    }

    public Builder node(String node) {
      this.node = Objects.requireNonNull(node, "node").trim();
      return this;
    }

    public Builder timezone(String timezone) {
      this.timezone = Objects.requireNonNull(timezone, "timezone").trim();
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public ChDbOptions build() {
      if (!version.matches("[0-9]+\\.[0-9]+\\.[0-9]+")) {
        throw new IllegalArgumentException("chDB version must be x.y.z, got '" + version + "'");
      }
      if (node.isEmpty() || timezone.isEmpty()) {
        throw new IllegalArgumentException("node and timezone must not be empty");
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
      return new ChDbOptions(this);
    }
  }
}
