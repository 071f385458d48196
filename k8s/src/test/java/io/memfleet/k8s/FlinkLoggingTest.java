package io.memfleet.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The pipeline's log configuration on Kubernetes: readable logs, not metric-name warnings. */
class FlinkLoggingTest {

  @Test
  @SuppressWarnings("unchecked")
  void everyBuildLogsToConsoleAndFileWithoutMetricNameWarnings() throws Exception {
    for (String build : K8sTree.BUILDS) {
      Map<String, Object> fd =
          K8sTree.one(K8sTree.build(build), "FlinkDeployment", "memfleet-pipeline");
      var logs = (Map<String, Object>) ((Map<String, Object>) fd.get("spec"))
          .get("logConfiguration");
      assertThat(logs).as(build).containsKey("log4j-console.properties");
      Properties p = new Properties();
      p.load(new StringReader((String) logs.get("log4j-console.properties")));
      assertThat(p.getProperty("rootLogger.level")).as(build).isEqualTo("INFO");
      assertThat(p.getProperty("rootLogger.appenderRef.console.ref"))
          .isEqualTo(p.getProperty("appender.console.name"));
      assertThat(p.getProperty("rootLogger.appenderRef.rolling.ref"))
          .isEqualTo(p.getProperty("appender.rolling.name"));
      assertThat(p.getProperty("appender.rolling.fileName")).isEqualTo("${sys:log.file}");
      assertThat(p.getProperty("logger.metricnames.name"))
          .isEqualTo("org.apache.flink.metrics.MetricGroup");
      assertThat(p.getProperty("logger.metricnames.level")).isEqualTo("ERROR");
    }
  }
}
