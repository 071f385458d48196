package io.memfleet.localstack.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The rule for tests that need something of the machine (a ClickHouse binary, bpftrace, root…):
 * outside CI a missing capability skips the test and says why; under {@code CI=true} it fails,
 * because CI installs everything the suite needs and a skip there would hide a broken install.
 */
public final class Capabilities {
  private Capabilities() {}

  public static boolean underCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Skips (locally) or fails (CI) the calling test unless {@code present}. */
  public static void require(boolean present, String what) {
    if (present) {
      return;
    }
    String message = "missing capability: " + what;
    if (underCi()) {
      Assertions.fail(message + " (CI=true, so this fails instead of skipping)");
    }
    Assumptions.abort(message + " (skipped outside CI)");
  }
}
