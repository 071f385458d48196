package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.kustomize.YamlDocs;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Grafana gets the P7 provisioning files and dashboards through ConfigMaps, mounted where the
 * provisioning files say, with every environment variable they read.
 */
class GrafanaTest {
  private static final List<String> DASHBOARDS = List.of("fleet-overview", "service-drilldown",
      "process-detail", "alerts", "oom-forensics");

  @Test
  void everyDashboardAndProvisioningFileIsReferencedExistsAndIsValid() {
    Path grafana = K8sTree.root().resolve("base/grafana");
    var res = K8sTree.build("base");
    Map<String, Object> dashboards =
        at(K8sTree.one(res, "ConfigMap", "grafana-dashboards"), "data");
    for (String d : DASHBOARDS) {
      Path file = grafana.resolve("dashboards/" + d + ".json");
      assertThat(file).isRegularFile();
      Object json = YamlDocs.firstValue(K8sTree.read(file)); // JSON is YAML
      assertThat((Object) at(json, "title")).as(d).isNotNull();
      assertThat(dashboards).containsKey(d + ".json");
    }
    assertThat(grafana.resolve("provisioning/datasources/clickhouse.yaml")).isRegularFile();
    assertThat(grafana.resolve("provisioning/dashboards/memfleet.yaml")).isRegularFile();
  }

  @Test
  void provisioningIsMountedWhereItLooksAndGetsEveryVariableItReads() {
    var res = K8sTree.build("base");
    Map<String, Object> deployment = K8sTree.one(res, "Deployment", "grafana");
    Map<String, Object> pod = at(deployment, "spec", "template", "spec");
    Map<String, Object> c = K8sTree.containers(pod).get(0);
    Map<String, String> mounts = new java.util.HashMap<>();
    for (Map<String, Object> v : (List<Map<String, Object>>) pod.get("volumes")) {
      if (v.get("configMap") != null) {
        String cm = at(v, "configMap", "name");
        for (Map<String, Object> m : (List<Map<String, Object>>) c.get("volumeMounts")) {
          if (v.get("name").equals(m.get("name"))) {
            mounts.put(cm, (String) m.get("mountPath"));
          }
        }
      }
    }
    assertThat(mounts).containsEntry("grafana-datasources", "/etc/grafana/provisioning/datasources")
        .containsEntry("grafana-dashboard-providers", "/etc/grafana/provisioning/dashboards");

    String providers = (String) at(K8sTree.one(res, "ConfigMap", "grafana-dashboard-providers"),
        "data", "memfleet.yaml");
    List<Map<String, Object>> list = at(YamlDocs.parseAll(providers, "providers").get(0),
        "providers");
    assertThat(list).extracting(p -> (Object) at(p, "options", "path"))
        .containsOnly(mounts.get("grafana-dashboards"));

    Set<String> env = new HashSet<>();
    ((List<Map<String, Object>>) c.get("env")).forEach(e -> env.add((String) e.get("name")));
    String datasources = (String) at(K8sTree.one(res, "ConfigMap", "grafana-datasources"), "data",
        "clickhouse.yaml");
    Matcher m = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(
        datasources.replaceAll("(?m)#.*$", ""));
    int vars = 0;
    while (m.find()) {
      assertThat(env).as("Grafana env for $" + m.group(1)).contains(m.group(1));
      vars++;
    }
    assertThat(vars).isPositive();
    // the data source's password variable comes from a Secret
    assertThat(((List<Map<String, Object>>) c.get("env")).stream()
        .filter(e -> at(e, "valueFrom", "secretKeyRef") != null)
        .map(e -> (String) e.get("name"))).contains("GF_SECURITY_ADMIN_PASSWORD");
    assertThat(String.valueOf(c.get("env"))).contains("grafana-password");
  }
}
