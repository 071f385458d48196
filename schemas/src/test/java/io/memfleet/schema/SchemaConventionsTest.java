package io.memfleet.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The design rules of the event model, checked so a new schema cannot quietly break them. */
class SchemaConventionsTest {

  @Test
  void everyRecordAndFieldIsDocumentedEveryEnumCanGrowAndOptionalsDefaultToNull() {
    Set<String> seen = new HashSet<>();
    for (Schema schema : EventTypes.schemas()) {
      check(schema, seen);
    }
    assertThat(seen).contains("io.memfleet.event.EventHeader", "io.memfleet.event.Runtime");
  }

  @Test
  void everyEventStartsWithTheHeader() {
    for (var type : EventTypes.EVENTS) {
      Schema.Field first = EventTypes.schemaOf(type).getFields().get(0);
      assertThat(first.name()).as(type.getSimpleName()).isEqualTo("header");
      assertThat(first.schema().getFullName()).isEqualTo("io.memfleet.event.EventHeader");
    }
  }

  private static void check(Schema schema, Set<String> seen) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!seen.add(schema.getFullName())) {
          return;
        }
        assertThat(schema.getDoc()).as("doc of " + schema.getFullName()).isNotBlank();
        for (Schema.Field f : schema.getFields()) {
          String where = schema.getName() + "." + f.name();
          assertThat(f.doc()).as("doc of " + where).isNotBlank();
          if (f.schema().isNullable()) {
            Schema first = f.schema().getTypes().get(0);
            assertThat(first.getType()).as(where).isEqualTo(Schema.Type.NULL);
            assertThat(f.defaultVal()).as("default of " + where)
                .isEqualTo(JsonProperties.NULL_VALUE);
          }
          check(f.schema(), seen);
        }
      }
      case ENUM -> {
        if (seen.add(schema.getFullName())) {
          assertThat(schema.getDoc()).as("doc of " + schema.getFullName()).isNotBlank();
          assertThat(schema.getEnumDefault()).as(schema.getFullName()).isEqualTo("UNKNOWN");
          assertThat(schema.getEnumSymbols().get(0)).isEqualTo("UNKNOWN");
        }
      }
      case UNION -> schema.getTypes().forEach(t -> check(t, seen));
      case ARRAY -> check(schema.getElementType(), seen);
      case MAP -> check(schema.getValueType(), seen);
      default -> { }
    }
  }
}
