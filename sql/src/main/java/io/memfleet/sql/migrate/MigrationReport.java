package io.memfleet.sql.migrate;

import java.util.List;

/**
 * What one run of the {@link MigrationRunner} did.
 *
 * @param serverVersion the version the gates were decided on
 * @param applied migrations applied in this run, in order
 * @param alreadyApplied migrations found recorded and skipped
 * @param branches one line per gated statement that ran: file, gate and the branch taken
 */
public record MigrationReport(String serverVersion, List<String> applied, List<String> alreadyApplied,
    List<String> branches) {}
