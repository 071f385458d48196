package io.memfleet.sql.migrate;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a migration statement written for one server into its form for a replicated ClickHouse
 * cluster: {@code ON CLUSTER} on DDL, and {@code *MergeTree} engines as {@code Replicated*MergeTree}
 * with a ZooKeeper/Keeper path per table. The same migration files thus serve a laptop and a
 * production cluster (the Altinity operator defines the {@code {shard}} and {@code {replica}}
 * macros on every node).
 *
 * <pre>{@code
 * ReplicatedRewriter r = new ReplicatedRewriter("memfleet");   // cluster name
 * r.rewrite("CREATE TABLE IF NOT EXISTS db.t (x UInt8) ENGINE = MergeTree() ORDER BY x")
 * // CREATE TABLE IF NOT EXISTS db.t ON CLUSTER 'memfleet' (x UInt8)
 * //   ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/db/t', '{replica}') ORDER BY x
 * }</pre>
 *
 * Only the statement shapes memfleet's migrations use are recognised; anything else is left as it
 * is (INSERT, SELECT) — ALTERs get {@code ON CLUSTER} too.
 */
public final class ReplicatedRewriter {
  private static final Pattern CREATE = Pattern.compile(
      "^(CREATE\\s+(?:TABLE|MATERIALIZED\\s+VIEW|DATABASE|VIEW)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?)"
          + "([A-Za-z0-9_.`]+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern ALTER = Pattern.compile(
      "^(ALTER\\s+TABLE\\s+)([A-Za-z0-9_.`]+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern ENGINE = Pattern.compile(
      "ENGINE\\s*=\\s*(Replacing|Aggregating|Summing|Collapsing)?MergeTree\\s*\\(([^)]*)\\)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9_\\-]+");

  private final String cluster;

  public ReplicatedRewriter(String cluster) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    if (!CLUSTER_NAME.matcher(cluster).matches()) {
      throw new IllegalArgumentException("cluster name must be letters, digits, _ or -: " + cluster);
    }
  }

  public String rewrite(String sql) {
    String s = sql.strip();
    Matcher create = CREATE.matcher(s);
    Matcher alter = ALTER.matcher(s);
    String name;
    if (create.find()) {
      name = create.group(2);
      s = create.group(1) + name + " ON CLUSTER '" + cluster + "'" + s.substring(create.end());
    } else if (alter.find()) {
      name = alter.group(2);
      s = alter.group(1) + name + " ON CLUSTER '" + cluster + "'" + s.substring(alter.end());
      return s;
    } else {
      return s;
    }
    Matcher engine = ENGINE.matcher(s);
    if (!engine.find()) {
      return s;
    }
    String family = engine.group(1) == null ? "" : engine.group(1);
    String args = engine.group(2).strip();
    String path = "'/clickhouse/tables/{shard}/" + name.replace("`", "").replace('.', '/') + "'";
    String replicated = "ENGINE = Replicated" + family + "MergeTree(" + path + ", '{replica}'"
        + (args.isEmpty() ? "" : ", " + args) + ")";
    return s.substring(0, engine.start()) + replicated + s.substring(engine.end());
  }
}
