package io.memfleet.schema.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.schema.EventTypes;
import io.memfleet.schema.ReleasedSchemas;
import io.memfleet.schema.codec.EventSchemaStore;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The build's compatibility gate: fails {@code mvn test} when an edited {@code .avsc} could not
 * be read by, or could not read, the latest released version. Fix the schema (add a default, make
 * the field optional) rather than this test.
 */
class ReleasedSchemasCompatibilityTest {

  @Test
  void currentSchemasAreCompatibleWithTheLatestRelease() {
    CompatibilityReport report = SchemaCompatibilityGate.checkCurrentAgainstLatestRelease();

    assertThat(report.compatible()).as(report.format()).isTrue();
  }

  @Test
  void thereIsAReleaseAndTheStoreKnowsEveryCurrentAndReleasedSchema() {
    ReleasedSchemas released = ReleasedSchemas.fromClasspath();
    EventSchemaStore store = EventSchemaStore.fromClasspath();

    assertThat(released.versions()).startsWith(1);
    for (Schema schema : EventTypes.schemas()) {
      assertThat(store.findByFingerprint(EventSchemaStore.fingerprint(schema)))
          .as(schema.getFullName()).isNotNull();
    }
    for (Schema schema : released.all()) {
      assertThat(store.findByFingerprint(EventSchemaStore.fingerprint(schema)))
          .as(schema.getFullName()).isNotNull();
    }
  }
}
