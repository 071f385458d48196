package io.memfleet.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** The README's configuration reference names every option the pipeline accepts. */
class ConfigurationReferenceTest {
  @Test
  void everyOptionIsDocumentedWithItsEnvironmentVariable() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    for (ConfigOption<?> option : PipelineOptions.allWithExtensions()) {
      assertThat(readme).as(option.key()).contains("`" + option.key() + "`")
          .contains(PipelineOptions.envVar(option));
    }
  }
}
