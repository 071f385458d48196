package io.memfleet.pipeline.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClickHouseBatchSerializerTest {
  private final ClickHouseBatchSerializer serializer = new ClickHouseBatchSerializer();

  @Test
  void roundTripsBatchesOfSeveralPartsIncludingLongAndNonAsciiRows() throws Exception {
    String longRow = "{\"payload\":\"" + "x".repeat(100_000) + "\"}";
    ClickHouseBatch batch = new ClickHouseBatch("l-s0-c7-1", "memfleet.t", List.of(
        new ClickHouseBatch.Part("2026-01-01T00:00:00Z", List.of("{\"a\":1}", longRow)),
        new ClickHouseBatch.Part("2026-01-01T00:15:00Z", List.of("{\"s\":\"Größe ✓\"}"))));
    byte[] bytes = serializer.serialize(batch);
    assertThat(serializer.deserialize(serializer.getVersion(), bytes)).isEqualTo(batch);
    assertThat(serializer.deserialize(serializer.getVersion(),
        serializer.serialize(new ClickHouseBatch("b", "t", List.of()))))
        .isEqualTo(new ClickHouseBatch("b", "t", List.of()));
  }

  @Test
  void readsVersionOneBatchesFromOlderCheckpointsAsOnePart() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      ClickHouseBatchSerializer.writeString(out, "job-0-1");
      ClickHouseBatchSerializer.writeString(out, "memfleet.t");
      out.writeInt(2);
      ClickHouseBatchSerializer.writeString(out, "{\"a\":1}");
      ClickHouseBatchSerializer.writeString(out, "{\"a\":2}");
    }
    assertThat(serializer.deserialize(1, bytes.toByteArray()))
        .isEqualTo(ClickHouseBatch.of("job-0-1", "memfleet.t", List.of("{\"a\":1}", "{\"a\":2}")));
  }

  @Test
  void refusesVersionsItDoesNotKnow() {
    assertThatThrownBy(() -> serializer.deserialize(3, new byte[0]))
        .hasMessageContaining("version 3");
  }

  @Test
  void tagsEveryRowWithItsPart() {
    ClickHouseBatch batch = new ClickHouseBatch("b-1", "t", List.of(
        new ClickHouseBatch.Part("p0", List.of("{\"a\":1}")),
        new ClickHouseBatch.Part("p1", List.of("{}"))));
    assertThat(batch.rowsWithBatchId(0)).containsExactly("{\"a\":1,\"batch_id\":\"b-1/0\"}");
    assertThat(batch.rowsWithBatchId(1)).containsExactly("{\"batch_id\":\"b-1/1\"}");
  }

  @Test
  void theChecksumTellsOtherRowsApartAndIsStable() {
    ClickHouseBatch a = ClickHouseBatch.of("b", "t", List.of("{\"a\":1}"));
    assertThat(a.checksum()).isEqualTo(ClickHouseBatch.of("b", "t", List.of("{\"a\":1}"))
        .checksum()).hasSize(24);
    assertThat(a.checksum()).isNotEqualTo(ClickHouseBatch.of("b", "t", List.of("{\"a\":2}"))
        .checksum());
    assertThat(a.checksum()).isEqualTo(a.withId("other").checksum());
  }
}
