package io.memfleet.sql.query.grafana.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the Grafana files live in the checkout: {@code k8s/base/grafana}. */
public final class DashboardFiles {
  private DashboardFiles() {}

  /** {@code k8s/base/grafana} under MEMFLEET_REPO_ROOT (set by failsafe) or above the module. */
  public static Path grafanaDir() {
    String env = System.getenv("MEMFLEET_REPO_ROOT");
    Path root = env != null && !env.isBlank() ? Path.of(env) : Path.of("").toAbsolutePath();
    while (root != null && !Files.isDirectory(root.resolve("k8s/base/grafana"))) {
      root = root.getParent();
    }
    if (root == null) {
      throw new IllegalStateException("no k8s/base/grafana above " + Path.of("").toAbsolutePath());
    }
    return root.resolve("k8s/base/grafana");
  }

  /** Every dashboard JSON file, sorted. */
  public static List<Path> dashboards() throws IOException {
    try (Stream<Path> files = Files.list(grafanaDir().resolve("dashboards"))) {
      return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }
}
