package io.memfleet.bench.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.bench.pipeline.PipelineThroughput.Stage;
import java.lang.reflect.Field;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;

class DecodeAlignOptionsTest {

  @Test
  void flagsOverrideTheDefaults() {
    DecodeAlignOptions o = DecodeAlignOptions.parse("--events", "5000", "--hosts", "3",
        "--processes", "2", "--partitions", "4", "--repetitions", "5", "--parallelism", "2",
        "--stages", "JOB", "--bootstrap", "kafka:9092", "--clock-sync-interval", "500ms",
        "--checkpoint-interval", "0", "--rate", "7", "--seed", "9");
    assertThat(o.events()).isEqualTo(5000);
    assertThat(o.hosts()).isEqualTo(3);
    assertThat(o.processesPerHost()).isEqualTo(2);
    assertThat(o.partitions()).isEqualTo(4);
    assertThat(o.repetitions()).isEqualTo(5);
    assertThat(o.parallelisms()).containsExactly(2);
    assertThat(o.stages()).containsExactly(Stage.JOB);
    assertThat(o.bootstrap()).isEqualTo("kafka:9092");
    assertThat(o.clockSyncInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(o.checkpointInterval()).isZero();
    assertThat(o.ratePerProcess()).isEqualTo(7);
    assertThat(o.seed()).isEqualTo(9);
  }

  @Test
  void theClusterVariantIsOffUnlessAskedFor() {
    assertThat(DecodeAlignOptions.parse().cluster()).isFalse();
    DecodeAlignOptions o = DecodeAlignOptions.parse("--cluster", "--cluster-taskmanagers", "3",
        "--cluster-task-heap", "1g", "--cluster-job-jar", "/tmp/job.jar");
    assertThat(o.cluster()).isTrue();
    assertThat(o.clusterTaskManagers()).isEqualTo(3);
    assertThat(o.clusterTaskHeap()).isEqualTo("1g");
    assertThat(o.clusterJobJar()).hasToString("/tmp/job.jar");
    assertThatThrownBy(() -> DecodeAlignOptions.parse("--cluster-taskmanagers", "0"))
        .hasMessageContaining("--cluster-taskmanagers");
  }

  @Test
  void defaultsComeFromTheEnvironmentThenFromTheDeclaration() throws Exception {
    assertThat(declaredDefault("events"))
        .isEqualTo("${env:MEMFLEET_BENCH_PIPELINE_EVENTS:-1000000}");
    assertThat(declaredDefault("parallelisms")).endsWith("_PARALLELISM:-1,2}");
    assertThat(declaredDefault("stages")).endsWith("_STAGES:-ALIGN,JOB}");
    assertThat(declaredDefault("checkpointInterval")).endsWith("_CHECKPOINT_INTERVAL:-10s}");
    assertThat(declaredDefault("bootstrap")).as("no default: start a broker")
        .isEqualTo("${env:MEMFLEET_BENCH_PIPELINE_BOOTSTRAP}");
    // every variable is this harness's own, so settings of the other harnesses cannot leak in
    for (Field f : DecodeAlignOptions.class.getDeclaredFields()) {
      Option option = f.getAnnotation(Option.class);
      if (option != null) {
        assertThat(option.defaultValue()).as(f.getName())
            .startsWith("${env:MEMFLEET_BENCH_PIPELINE_");
      }
    }
  }

  private static String declaredDefault(String field) throws NoSuchFieldException {
    return DecodeAlignOptions.class.getDeclaredField(field).getAnnotation(Option.class)
        .defaultValue();
  }

  @Test
  void outOfRangeSettingsAreRefusedByName() {
    assertThatThrownBy(() -> DecodeAlignOptions.parse("--events", "0"))
        .hasMessageContaining("--events");
    assertThatThrownBy(() -> DecodeAlignOptions.parse("--parallelism", "1,0"))
        .hasMessageContaining("--parallelism");
    assertThatThrownBy(() -> DecodeAlignOptions.parse("--clock-sync-interval", "0s"))
        .hasMessageContaining("--clock-sync-interval");
    assertThatThrownBy(() -> DecodeAlignOptions.parse("--checkpoint-interval", "soon"))
        .hasMessageContaining("not a duration");
  }

  @Test
  void durationsInShortAndIsoForm() {
    DecodeAlignOptions.DurationConverter c = new DecodeAlignOptions.DurationConverter();
    assertThat(c.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(c.convert("15")).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(c.convert("PT3S")).isEqualTo(Duration.ofSeconds(3));
  }
}
