package io.memfleet.schema.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.memfleet.schema.compat.CompatibilityReport.Direction;
import io.memfleet.schema.compat.CompatibilityReport.Issue;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The gate on scratch schemas, so it is proven to reject without touching the real ones. */
class SchemaCompatibilityGateTest {

  private static final Schema RELEASED =
      parse(
          """
          {"type": "record", "name": "Sample", "namespace": "scratch",
           "fields": [
             {"name": "id", "type": "long"},
             {"name": "name", "type": "string"},
             {"name": "kind", "type": {"type": "enum", "name": "Kind",
               "symbols": ["UNKNOWN", "A", "B"], "default": "UNKNOWN"}},
             {"name": "colour", "type": {"type": "enum", "name": "Colour",
               "symbols": ["RED", "GREEN"]}}
           ]}
          """);

  @Test
  void acceptsAddedOptionalFieldWithDefault() {
    Schema next =
        parse(
            """
            {"type": "record", "name": "Sample", "namespace": "scratch",
             "fields": [
               {"name": "id", "type": "long"},
               {"name": "name", "type": "string"},
               {"name": "kind", "type": {"type": "enum", "name": "Kind",
                 "symbols": ["UNKNOWN", "A", "B", "C"], "default": "UNKNOWN"}},
               {"name": "colour", "type": {"type": "enum", "name": "Colour",
                 "symbols": ["RED", "GREEN"]}},
               {"name": "note", "type": ["null", "string"], "default": null}
             ]}
            """);

    CompatibilityReport report = gate(next);

    assertThat(report.compatible()).as(report.format()).isTrue();
    assertThat(report.checked()).containsExactly("scratch.Sample");
  }

  @Test
  void rejectsAddedFieldWithoutDefault() {
    Schema next = releasedWithExtraField("{\"name\": \"weight\", \"type\": \"long\"}");

    CompatibilityReport report = gate(next);

    assertThat(report.compatible()).isFalse();
    assertThat(report.issues())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.direction()).isEqualTo(Direction.BACKWARD);
              assertThat(i.type()).isEqualTo("READER_FIELD_MISSING_DEFAULT_VALUE");
              assertThat(i.message()).contains("weight");
              assertThat(i.location()).isEqualTo("/fields/4");
            });
  }

  @Test
  void rejectsChangedFieldType() {
    Schema next = releasedWith("\"name\", \"type\": \"string\"", "\"name\", \"type\": \"int\"");

    CompatibilityReport report = gate(next);

    assertThat(report.issues())
        .extracting(Issue::direction, Issue::type)
        .contains(
            tuple(Direction.BACKWARD, "TYPE_MISMATCH"),
            tuple(Direction.FORWARD, "TYPE_MISMATCH"));
    assertThat(report.issues()).allSatisfy(i -> assertThat(i.location()).startsWith("/fields/1"));
  }

  @Test
  void rejectsRemovedEnumSymbolWithoutDefault() {
    Schema next = releasedWith("[\"RED\", \"GREEN\"]", "[\"RED\"]");

    CompatibilityReport report = gate(next);

    assertThat(report.issues())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.direction()).isEqualTo(Direction.BACKWARD);
              assertThat(i.type()).isEqualTo("MISSING_ENUM_SYMBOLS");
              assertThat(i.message()).contains("GREEN");
            });
    assertThat(report.format()).contains("MISSING_ENUM_SYMBOLS").contains("1 incompatibilities");
  }

  @Test
  void acceptsRemovedEnumSymbolWhenTheEnumHasADefault() {
    Schema next = releasedWith("[\"UNKNOWN\", \"A\", \"B\"]", "[\"UNKNOWN\", \"A\"]");

    assertThat(gate(next).compatible()).isTrue();
  }

  @Test
  void newRecordTypeIsAllowedButRemovedOneIsNot() {
    Schema brandNew =
        parse("{\"type\": \"record\", \"name\": \"Other\", \"namespace\": \"scratch\","
            + " \"fields\": []}");

    CompatibilityReport onlyNew =
        SchemaCompatibilityGate.check(List.of(brandNew), List.of(RELEASED), "release 7");

    assertThat(onlyNew.added()).containsExactly("scratch.Other");
    assertThat(onlyNew.issues())
        .singleElement()
        .satisfies(i -> {
          assertThat(i.record()).isEqualTo("scratch.Sample");
          assertThat(i.direction()).isEqualTo(Direction.REMOVED);
        });
  }

  private static CompatibilityReport gate(Schema next) {
    return SchemaCompatibilityGate.check(List.of(next), List.of(RELEASED), "release 1");
  }

  private static Schema releasedWith(String from, String to) {
    String json = RELEASED.toString();
    String compact = from.replace(" ", "");
    assertThat(json).contains(compact);
    return parse(json.replace(compact, to.replace(" ", "")));
  }

  private static Schema releasedWithExtraField(String field) {
    String json = RELEASED.toString();
    return parse(json.substring(0, json.length() - 2) + "," + field + "]}");
  }

  private static Schema parse(String json) {
    return new Schema.Parser().parse(json);
  }
}
