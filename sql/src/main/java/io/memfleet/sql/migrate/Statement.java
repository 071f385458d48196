package io.memfleet.sql.migrate;

import io.memfleet.sql.ServerVersion;
import java.util.Optional;

/**
 * One SQL statement of a migration file, possibly one branch of a version gate.
 *
 * @param sql the statement without its trailing semicolon
 * @param line the 1-based line of the file where it starts, for error messages
 * @param gate the gate this statement belongs to, empty for unconditional statements
 */
public record Statement(String sql, int line, Optional<Gate> gate) {

  /**
   * A version gate: {@code -- @if version >= 20.1} … {@code -- @else} … {@code -- @end}.
   *
   * @param id position of the gate in its file (1-based), so the report can name it
   * @param minVersion the statements of the {@code @if} branch run on servers at least this version
   * @param modernBranch whether this statement is in the {@code @if} branch (else the fallback)
   */
  public record Gate(int id, ServerVersion minVersion, boolean modernBranch) {
    public boolean selectedOn(ServerVersion server) {
      return server.atLeast(minVersion) == modernBranch;
    }

    public String branchName() {
      return modernBranch ? "if version >= " + minVersion : "else (version < " + minVersion + ")";
    }
  }
}
