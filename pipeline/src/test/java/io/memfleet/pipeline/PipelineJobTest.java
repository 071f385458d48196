package io.memfleet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class PipelineJobTest {
  @Test
  void argumentsOverrideDefaultsAndUnknownKeysAreRefused() {
    Configuration conf = PipelineJob.options(new String[] {"memfleet.time.out-of-orderness=5 s"});
    assertThat(conf.get(PipelineOptions.OUT_OF_ORDERNESS)).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> PipelineJob.options(new String[] {"memfleet.nope=1"}))
        .hasMessageContaining("unknown option memfleet.nope");
    assertThatThrownBy(() -> PipelineJob.options(new String[] {"no-equals"}))
        .hasMessageContaining("key=value");
  }

  @Test
  void theClusterJobHasTheSameGraphAsTheLocalOne() throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
    int extensions = PipelineCommand.attachJob(env, PipelineJob.options(new String[0]));
    assertThat(extensions).isEqualTo(3);
    assertThat(env.getExecutionPlan()).contains("decode", "alerts-sink", "process_memory_10s");
  }
}
