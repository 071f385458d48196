package io.memfleet.pipeline.clickhouse;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * How the sink reaches ClickHouse and how patiently it retries. Defaults work against the local
 * stack ({@code ./memfleet up}); each can be overridden from the pipeline's configuration.
 *
 * @param url HTTP endpoint (MEMFLEET_CLICKHOUSE_URL), default http://127.0.0.1:18123
 * @param user user name (MEMFLEET_CLICKHOUSE_USER), default {@code default}
 * @param passwordEnv name of the environment variable holding the password, read on the task
 *     managers — never part of the job graph
 * @param database the database the migrations created (MEMFLEET_CLICKHOUSE_DATABASE)
 * @param retryInitial first back-off after a failed commit, default 200 ms
 * @param retryMax longest back-off, default 10 s
 * @param maxCommitWait how long one commit may keep retrying before the job fails over (and,
 *     restored from its checkpoint, tries again); default 10 min. Meanwhile the sink holds back
 *     the stream: backpressure, not drops.
 * @param passwordFile file holding the password (a mounted Secret), read on the task managers;
 *     wins over {@code passwordEnv}; null for none
 * @param caFile PEM file of the CA an {@code https://} server's certificate must chain to; null
 *     for the JVM's trusted CAs
 */
public record ClickHouseSinkOptions(String url, String user, String passwordEnv, String database,
    Duration retryInitial, Duration retryMax, Duration maxCommitWait, String passwordFile,
    String caFile) implements Serializable {

  /** Options with the password from {@code passwordEnv} and the JVM's trusted CAs. */
  public ClickHouseSinkOptions(String url, String user, String passwordEnv, String database,
      Duration retryInitial, Duration retryMax, Duration maxCommitWait) {
    this(url, user, passwordEnv, database, retryInitial, retryMax, maxCommitWait, null, null);
  }

  public ClickHouseSinkOptions {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(passwordEnv, "passwordEnv");
    Objects.requireNonNull(database, "database");
    if (retryInitial.isNegative() || retryInitial.isZero() || retryMax.compareTo(retryInitial) < 0
        || maxCommitWait.isNegative()) {
      throw new IllegalArgumentException("need 0 < retryInitial <= retryMax and maxCommitWait >= 0");
    }
  }

  public static ClickHouseSinkOptions defaults() {
    return new ClickHouseSinkOptions("http://127.0.0.1:18123", "default",
        "MEMFLEET_CLICKHOUSE_PASSWORD", "memfleet", Duration.ofMillis(200), Duration.ofSeconds(10),
        Duration.ofMinutes(10));
  }

  public ClickHouseSinkOptions withUrl(String newUrl) {
    return new ClickHouseSinkOptions(newUrl, user, passwordEnv, database, retryInitial, retryMax,
        maxCommitWait, passwordFile, caFile);
  }

  public ClickHouseSinkOptions withDatabase(String newDatabase) {
    return new ClickHouseSinkOptions(url, user, passwordEnv, newDatabase, retryInitial, retryMax,
        maxCommitWait, passwordFile, caFile);
  }

  public ClickHouseSinkOptions withMaxCommitWait(Duration wait) {
    return new ClickHouseSinkOptions(url, user, passwordEnv, database, retryInitial, retryMax, wait,
        passwordFile, caFile);
  }

  /** As these, with the user, its password from {@code passwordFile}, and the CA file. */
  public ClickHouseSinkOptions withCredentials(String newUser, String newPasswordFile,
      String newCaFile) {
    return new ClickHouseSinkOptions(url, newUser, passwordEnv, database, retryInitial, retryMax,
        maxCommitWait, newPasswordFile, newCaFile);
  }
}
