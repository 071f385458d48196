package io.memfleet.schema.compat;

import java.util.List;

/**
 * What {@link SchemaCompatibilityGate} found: every incompatibility, plus which types were
 * checked and which are new since the release compared against.
 *
 * @param baseline what the current schemas were compared with, e.g. {@code "release 3"}
 * @param checked full names of record types present in both and checked
 * @param added full names of record types new since the baseline (always allowed)
 * @param issues every incompatibility; empty means the change may be released
 */
public record CompatibilityReport(
    String baseline, List<String> checked, List<String> added, List<Issue> issues) {

  /** Which way a record cannot be read. */
  public enum Direction {
    /** The new reader cannot read records from old writers. */
    BACKWARD,
    /** Old readers cannot read records from new writers. */
    FORWARD,
    /** The type was released but is gone, so its old records have nowhere to decode to. */
    REMOVED
  }

  /**
   * One incompatibility.
   *
   * @param record full name of the top-level record
   * @param direction which way it breaks
   * @param type Avro's incompatibility type, e.g. {@code READER_FIELD_MISSING_DEFAULT_VALUE}
   * @param message Avro's explanation
   * @param location JSON pointer to the offending place in the schema, e.g. {@code
   *     /fields/3/type}
   */
  public record Issue(
      String record, Direction direction, String type, String message, String location) {
    @Override
    public String toString() {
      return record + " " + direction + " " + type + " at " + location + ": " + message;
    }
  }

  public CompatibilityReport {
    checked = List.copyOf(checked);
    added = List.copyOf(added);
    issues = List.copyOf(issues);
  }

  /** True when there is no incompatibility. */
  public boolean compatible() {
    return issues.isEmpty();
  }

  /** Human-readable report, one line per finding, for the build log. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append("schema compatibility against ").append(baseline).append(": ")
        .append(compatible() ? "OK" : issues.size() + " incompatibilities").append('\n');
    sb.append("  checked ").append(checked.size()).append(" record types");
    if (!added.isEmpty()) {
      sb.append(", new: ").append(String.join(", ", added));
    }
    sb.append('\n');
    issues.forEach(i -> sb.append("  ").append(i).append('\n'));
    return sb.toString();
  }
}
