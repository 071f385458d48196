package io.memfleet.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.bench.pipeline.StateSizeOptions.Backend;
import io.memfleet.bench.pipeline.StateSizeOptions.Fleet;
import java.lang.reflect.Field;
import java.time.Duration;
import org.apache.flink.configuration.MemorySize;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Option;

class StateSizeOptionsTest {

  @Test
  void flagsOverrideTheDefaults() {
    StateSizeOptions o = StateSizeOptions.parse("--fleets", "3x7,1x2", "--backends", "RocksDB",
        "--rate", "5", "--duration", "2m", "--parallelism", "1", "--partitions", "4",
        "--managed-memory", "1g", "--clock-sync-interval", "500ms", "--seed", "9");
    assertThat(o.fleets()).containsExactly(new Fleet(3, 7), new Fleet(1, 2));
    assertThat(o.backends()).containsExactly(Backend.ROCKSDB);
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.events(new Fleet(3, 7))).as("21 processes x 5/s x 120 s").isEqualTo(12_600);
    assertThat(o.managedMemory()).isEqualTo(MemorySize.parse("1g"));
    assertThat(o.parallelism()).isEqualTo(1);
    assertThat(o.bootstrap()).isNull();
  }

  @Test
  void theWorkloadIsEveryProcessAtTheRateForTheDuration() {
    StateSizeOptions o = StateSizeOptions.parse("--fleets", "4x5", "--rate", "3",
        "--duration", "10s", "--partitions", "2", "--seed", "7");
    DecodeAlignOptions w = o.workload(new Fleet(4, 5));
    assertThat(w.events()).isEqualTo(4 * 5 * 3 * 10);
    assertThat(w.hosts()).isEqualTo(4);
    assertThat(w.processesPerHost()).isEqualTo(5);
    assertThat(w.ratePerProcess()).isEqualTo(3);
    assertThat(w.partitions()).isEqualTo(2);
    assertThat(w.seed()).isEqualTo(7);
  }

  @Test
  void defaultsAreTheHarnesssOwnVariablesThenTheDeclaration() throws Exception {
    assertThat(declaredDefault("fleets")).isEqualTo("${env:MEMFLEET_BENCH_STATE_FLEETS:-100x100,"
        + "10x100}");
    assertThat(declaredDefault("backends")).endsWith("_BACKENDS:-hashmap,rocksdb}");
    for (Field f : StateSizeOptions.class.getDeclaredFields()) {
      Option option = f.getAnnotation(Option.class);
      if (option != null) {
        assertThat(option.defaultValue()).as(f.getName())
            .startsWith("${env:MEMFLEET_BENCH_STATE_");
      }
    }
  }

  @Test
  void refusesWhatCannotBeMeasured() {
    assertThatThrownBy(() -> StateSizeOptions.parse("--fleets", "10x10,5x20"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must differ");
    assertThatThrownBy(() -> StateSizeOptions.parse("--fleets", "10by10"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("not a fleet");
    assertThatThrownBy(() -> StateSizeOptions.parse("--backends", "forst"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("not a state backend");
    assertThatThrownBy(() -> StateSizeOptions.parse("--rate", "0"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate");
    assertThatThrownBy(() -> StateSizeOptions.parse("--managed-memory", "lots"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--managed-memory");
  }

  @Test
  void theSlopeLeavesTheFixedCostOut() {
    // 1 MB fixed + 40 KB per process
    long small = 1_000_000 + 1_000 * 40_000L;
    long large = 1_000_000 + 10_000 * 40_000L;
    assertThat(StateSizeReport.slope(large, 10_000, small, 1_000)).isEqualTo(40_000.0);
    assertThat(StateSizeReport.slope(large, 10_000, large, 10_000)).isNaN();
  }

  private static String declaredDefault(String field) throws Exception {
    return StateSizeOptions.class.getDeclaredField(field).getAnnotation(Option.class)
        .defaultValue();
  }
}
