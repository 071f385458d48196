package io.memfleet.scenarios;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Go and gcc for tests: skipped where missing, unless {@code CI=true}, where missing fails. */
final class Toolchain {
  private Toolchain() {}

  static void require(Scenario.Runtime runtime) {
    String tool = runtime == Scenario.Runtime.GO ? "go" : "gcc";
    if (ScenarioBuilds.findTool(tool).isPresent()) {
      return;
    }
    String install = runtime == Scenario.Runtime.GO ? "apt-get install golang-go"
        : "apt-get install gcc libc6-dev";
    if ("true".equals(System.getenv("CI"))) {
      fail("CI=true and no " + tool + " on PATH: the corpus must build in CI (" + install + ")");
    }
    assumeTrue(false, "no " + tool + " on PATH (" + install + "); skipped outside CI");
  }
}
