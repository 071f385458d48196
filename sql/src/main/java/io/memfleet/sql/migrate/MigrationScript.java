package io.memfleet.sql.migrate;

import io.memfleet.sql.ServerVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a migration file into statements and reads its version gates.
 *
 * <p>Statements end with {@code ;} (outside quotes and comments). A gate picks statements by server
 * version, so one file serves the 18.16 server of the tests and current releases:
 *
 * <pre>
 * -- @if version >= 20.1
 * CREATE TABLE t (x LowCardinality(String)) ENGINE = MergeTree() ORDER BY x TTL …;
 * -- @else
 * CREATE TABLE t (x String) ENGINE = MergeTree() ORDER BY x;
 * -- @end
 * </pre>
 *
 * The {@code @else} branch is optional (then nothing runs on older servers).
 */
public final class MigrationScript {
  private static final Pattern IF = Pattern.compile("--\\s*@if\\s+version\\s*>=\\s*([0-9.]+)\\s*");
  private static final Pattern ELSE = Pattern.compile("--\\s*@else\\s*");
  private static final Pattern END = Pattern.compile("--\\s*@end\\s*");

  private MigrationScript() {}

  /** Parses {@code text}; {@code fileName} only labels errors. */
  public static List<Statement> parse(String fileName, String text) {
    List<Statement> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int currentStart = -1;
    Statement.Gate gate = null;
    int gates = 0;
    boolean inString = false;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String trimmed = line.strip();
      int lineNo = i + 1;
      if (!inString && trimmed.startsWith("--")) {
        Matcher m;
        if (!directive(trimmed)) {
          // a plain comment: no directive pattern can match it
        } else if ((m = IF.matcher(trimmed)).matches()) {
          requireNoPending(fileName, lineNo, current, "@if");
          if (gate != null) {
            throw syntax(fileName, lineNo, "gates cannot nest");
          }
          ServerVersion min;
          try {
            min = ServerVersion.parse(m.group(1));
          } catch (IllegalArgumentException e) {
            throw syntax(fileName, lineNo, e.getMessage());
          }
          gate = new Statement.Gate(++gates, min, true);
        } else if (ELSE.matcher(trimmed).matches()) {
          requireNoPending(fileName, lineNo, current, "@else");
          if (gate == null || !gate.modernBranch()) {
            throw syntax(fileName, lineNo, "@else without @if");
          }
          gate = new Statement.Gate(gate.id(), gate.minVersion(), false);
        } else if (END.matcher(trimmed).matches()) {
          requireNoPending(fileName, lineNo, current, "@end");
          if (gate == null) {
            throw syntax(fileName, lineNo, "@end without @if");
          }
          gate = null;
        } else if (trimmed.startsWith("-- @") || trimmed.startsWith("--@")) {
          throw syntax(fileName, lineNo, "unknown directive '" + trimmed + "'");
        }
        continue; // comment lines are not sent to the server
      }
      for (int c = 0; c < line.length(); c++) {
        char ch = line.charAt(c);
        if (ch == '\'' && (c == 0 || line.charAt(c - 1) != '\\')) {
          inString = !inString;
        }
        if (!inString && ch == '-' && c + 1 < line.length() && line.charAt(c + 1) == '-') {
          break; // trailing comment
        }
        if (!inString && ch == ';') {
          String sql = current.toString().strip();
          if (!sql.isEmpty()) {
            statements.add(new Statement(sql, currentStart, Optional.ofNullable(gate)));
          }
          current.setLength(0);
          currentStart = -1;
          continue;
        }
        if (currentStart < 0 && !Character.isWhitespace(ch)) {
          currentStart = lineNo;
        }
        current.append(ch);
      }
      current.append('\n');
    }
    if (gate != null) {
      throw syntax(fileName, lines.length, "@if without @end");
    }
    if (!current.toString().isBlank()) {
      throw syntax(fileName, currentStart, "statement not terminated by ';'");
    }
    return statements;
  }

  /**
   * Whether a comment line may be a directive ({@code --}, blanks, {@code @}): only those are
   * matched against the directive patterns, so a script of many comments costs no matchers.
   */
  private static boolean directive(String comment) {
    int i = 2;
    while (i < comment.length() && Character.isWhitespace(comment.charAt(i))) {
      i++;
    }
    return i < comment.length() && comment.charAt(i) == '@';
  }

  private static void requireNoPending(String file, int line, StringBuilder current, String what) {
    if (!current.toString().isBlank()) {
      throw syntax(file, line, what + " inside a statement (missing ';' before it?)");
    }
  }

  private static IllegalArgumentException syntax(String file, int line, String message) {
    return new IllegalArgumentException(file + ":" + line + ": " + message);
  }
}
