package io.memfleet.schema.compat;

import io.memfleet.schema.EventTypes;
import io.memfleet.schema.ReleasedSchemas;
import io.memfleet.schema.compat.CompatibilityReport.Direction;
import io.memfleet.schema.compat.CompatibilityReport.Issue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * Decides whether the current schemas may be released: each must be both backward compatible
 * (the new pipeline reads what old collectors still write) and forward compatible (an old
 * pipeline, during a rolling upgrade, reads what new collectors write) with the same record in
 * the latest release. New record types are allowed; removing a released one is not.
 *
 * <p>{@code ReleasedSchemasCompatibilityTest} runs it on every build, so an incompatible edit to
 * an {@code .avsc} fails {@code mvn test}. From a shell:
 *
 * <pre>{@code
 * java -cp <classpath> io.memfleet.schema.compat.SchemaCompatibilityGate   # exit 1 on failure
 * }</pre>
 */
public final class SchemaCompatibilityGate {

  private SchemaCompatibilityGate() {}

  /** Checks the compiled-in schemas against the latest release on the classpath. */
  public static CompatibilityReport checkCurrentAgainstLatestRelease() {
    return checkAgainstLatest(EventTypes.schemas(), ReleasedSchemas.fromClasspath());
  }

  /** Checks {@code current} against the latest release in {@code released}. */
  public static CompatibilityReport checkAgainstLatest(
      Collection<Schema> current, ReleasedSchemas released) {
    Optional<Integer> latest = released.latestVersion();
    return latest
        .map(v -> check(current, released.schemas(v).values(), "release " + v))
        .orElseGet(() -> check(current, List.of(), "no release"));
  }

  /**
   * Checks each schema of {@code current} against the schema with the same full name in {@code
   * previous}, both directions.
   *
   * @param baseline names {@code previous} in the report, e.g. {@code "release 2"}
   */
  public static CompatibilityReport check(
      Collection<Schema> current, Collection<Schema> previous, String baseline) {
    Map<String, Schema> old = byName(previous);
    List<String> checked = new ArrayList<>();
    List<String> added = new ArrayList<>();
    List<Issue> issues = new ArrayList<>();
    for (Schema now : current) {
      String name = now.getFullName();
      Schema then = old.remove(name);
      if (then == null) {
        added.add(name);
        continue;
      }
      checked.add(name);
      collect(name, Direction.BACKWARD, now, then, issues);
      collect(name, Direction.FORWARD, then, now, issues);
    }
    for (String removed : old.keySet()) {
      issues.add(
          new Issue(removed, Direction.REMOVED, "RECORD_REMOVED",
              "released record type is gone; records of older writers could not be decoded", "/"));
    }
    return new CompatibilityReport(baseline, checked, added, issues);
  }

  private static void collect(
      String name, Direction direction, Schema reader, Schema writer, List<Issue> issues) {
    var result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    for (Incompatibility i : result.getIncompatibilities()) {
      issues.add(
          new Issue(name, direction, i.getType().name(), i.getMessage(), i.getLocation()));
    }
  }

  private static Map<String, Schema> byName(Collection<Schema> schemas) {
    Map<String, Schema> map = new LinkedHashMap<>();
    schemas.forEach(s -> map.put(s.getFullName(), s));
    return map;
  }

  /** Prints the report of {@link #checkCurrentAgainstLatestRelease()}; exits 1 if incompatible. */
  public static void main(String[] args) {
    CompatibilityReport report = checkCurrentAgainstLatestRelease();
    System.out.print(report.format());
    if (!report.compatible()) {
      System.exit(1);
    }
  }
}
