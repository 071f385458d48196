package io.memfleet.bench.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClickHouseBenchmarkOptionsTest {
  @Test
  void defaultsAreValidAndNameEverySinkTable() {
    ClickHouseBenchmarkOptions o = ClickHouseBenchmarkOptions.parse();
    assertThat(o.sinkTables).containsExactlyElementsOf(SinkTable.names());
    assertThat(o.checkpointInterval).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.services()).isEqualTo(o.processes / 10);
    assertThat(o.database("history")).isEqualTo(o.databasePrefix + "_history");
  }

  @Test
  void flagsOverrideDefaults() {
    ClickHouseBenchmarkOptions o = ClickHouseBenchmarkOptions.parse("--sink-tables",
        "gc_pauses,events_raw", "--checkpoint-interval", "250ms", "--processes", "5",
        "--merge-wait", "PT2M");
    assertThat(o.sinkTables).containsExactly("gc_pauses", "events_raw");
    assertThat(o.checkpointInterval).isEqualTo(Duration.ofMillis(250));
    assertThat(o.mergeWait).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.services()).isEqualTo(1);
  }

  @Test
  void badValuesAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> ClickHouseBenchmarkOptions.parse("--sink-tables", "alerts"))
        .hasMessageContaining("--sink-tables").hasMessageContaining("alerts");
    assertThatThrownBy(() -> ClickHouseBenchmarkOptions.parse("--days", "0"))
        .hasMessageContaining("--days");
    assertThatThrownBy(() -> ClickHouseBenchmarkOptions.parse("--database-prefix", "x; DROP"))
        .hasMessageContaining("--database-prefix");
    assertThatThrownBy(() -> ClickHouseBenchmarkOptions.parse("--gc-pauses-per-minute", "61"))
        .hasMessageContaining("--gc-pauses-per-minute");
  }
}
