package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClickHouseBatchSerializerTest {
  private final ClickHouseBatchSerializer serializer = new ClickHouseBatchSerializer();

  @Test
  void roundTripsBatchesIncludingLongAndNonAsciiRows() throws Exception {
    String longRow = "{\"payload\":\"" + "x".repeat(100_000) + "\"}";
    ClickHouseBatch batch = new ClickHouseBatch("job-1-0-0-7", "memfleet.t",
        List.of("{\"a\":1}", "{\"s\":\"Größe ✓\"}", longRow));
    byte[] bytes = serializer.serialize(batch);
    assertThat(serializer.deserialize(serializer.getVersion(), bytes)).isEqualTo(batch);
    assertThat(serializer.deserialize(1,
        serializer.serialize(new ClickHouseBatch("b", "t", List.of())))).isEqualTo(
            new ClickHouseBatch("b", "t", List.of()));
  }

  @Test
  void refusesVersionsItDoesNotKnow() {
    assertThatThrownBy(() -> serializer.deserialize(2, new byte[0]))
        .hasMessageContaining("version 2");
  }

  @Test
  void addsTheBatchIdToEveryRow() {
    ClickHouseBatch batch = new ClickHouseBatch("b-1", "t", List.of("{\"a\":1}"));
    assertThat(batch.rowsWithBatchId()).containsExactly("{\"a\":1,\"batch_id\":\"b-1\"}");
  }
}
