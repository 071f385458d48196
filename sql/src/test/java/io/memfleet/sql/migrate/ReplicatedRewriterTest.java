package io.memfleet.sql.migrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplicatedRewriterTest {
  private final ReplicatedRewriter r = new ReplicatedRewriter("memfleet");

  @Test
  void mergeTreeTablesBecomeReplicatedOnTheCluster() {
    assertThat(r.rewrite("CREATE TABLE IF NOT EXISTS db.t (x UInt8) ENGINE = MergeTree() ORDER BY x"))
        .isEqualTo("CREATE TABLE IF NOT EXISTS db.t ON CLUSTER 'memfleet' (x UInt8) ENGINE = "
            + "ReplicatedMergeTree('/clickhouse/tables/{shard}/db/t', '{replica}') ORDER BY x");
  }

  @Test
  void engineArgumentsFollowThePathAndReplica() {
    assertThat(r.rewrite("CREATE TABLE db.a (v UInt8, u DateTime) ENGINE = ReplacingMergeTree(u)"
        + " ORDER BY v")).contains("ON CLUSTER 'memfleet'").contains(
            "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/a', '{replica}', u)");
    assertThat(r.rewrite("CREATE TABLE db.h (x UInt8) ENGINE = AggregatingMergeTree() ORDER BY x"))
        .contains("ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/db/h', '{replica}')");
  }

  @Test
  void viewsDatabasesAndAltersGetOnClusterOnly() {
    assertThat(r.rewrite("CREATE MATERIALIZED VIEW IF NOT EXISTS db.mv TO db.t AS SELECT 1"))
        .isEqualTo("CREATE MATERIALIZED VIEW IF NOT EXISTS db.mv ON CLUSTER 'memfleet' TO db.t"
            + " AS SELECT 1");
    assertThat(r.rewrite("CREATE DATABASE IF NOT EXISTS db"))
        .isEqualTo("CREATE DATABASE IF NOT EXISTS db ON CLUSTER 'memfleet'");
    assertThat(r.rewrite("ALTER TABLE db.t MODIFY TTL d + INTERVAL 1 DAY"))
        .isEqualTo("ALTER TABLE db.t ON CLUSTER 'memfleet' MODIFY TTL d + INTERVAL 1 DAY");
    assertThat(r.rewrite("INSERT INTO db.t VALUES (1)")).isEqualTo("INSERT INTO db.t VALUES (1)");
  }

  @Test
  void rejectsClusterNamesThatWouldNeedQuoting() {
    assertThatThrownBy(() -> new ReplicatedRewriter("a'b")).hasMessageContaining("cluster name");
  }
}
