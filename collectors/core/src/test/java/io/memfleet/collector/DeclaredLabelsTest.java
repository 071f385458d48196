package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Golden files: real /proc/PID/environ captures (see resources/procfs/README.md). */
class DeclaredLabelsTest {

  private static Path golden(String name) throws Exception {
    return Path.of(DeclaredLabelsTest.class.getResource("/procfs/environ/" + name).toURI());
  }

  @Test
  void capturedEnvironWithLabelsAndService() throws Exception {
    DeclaredLabels d = DeclaredLabels.read(golden("declared-labels.environ"));
    // "novalue" and "=x" are skipped and counted; GREETING's k=v text is not a label
    assertThat(d.labels()).containsExactly(entry("team", "payments"), entry("tier", "gold"));
    assertThat(d.service()).isEqualTo("checkout-api");
    assertThat(d.malformed()).isEqualTo(2);
  }

  @Test
  void capturedEnvironWithoutMemfleetVariables() throws Exception {
    DeclaredLabels d = DeclaredLabels.read(golden("no-labels.environ"));
    assertThat(d.labels()).isEmpty();
    assertThat(d.service()).isNull();
    assertThat(d.malformed()).isZero();
  }

  @Test
  void firstOccurrenceWinsAndBlankServiceIsNone() {
    DeclaredLabels d = DeclaredLabels.parse(("MEMFLEET_SERVICE= \0MEMFLEET_LABELS=a=1\0"
        + "MEMFLEET_LABELS=a=2\0MEMFLEET_SERVICE=late\0").getBytes(StandardCharsets.UTF_8));
    assertThat(d.labels()).containsExactly(entry("a", "1"));
    assertThat(d.service()).isNull();
    assertThat(DeclaredLabels.parse(new byte[0])).isEqualTo(DeclaredLabels.NONE);
  }
}
