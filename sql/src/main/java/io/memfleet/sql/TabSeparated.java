package io.memfleet.sql;

/** Escaping rules of ClickHouse's TabSeparated format (backslash escapes, {@code \N} for NULL). */
public final class TabSeparated {
  private TabSeparated() {}

  /** Undoes TabSeparated escaping of one cell; {@code \N} (NULL) becomes null. */
  public static String unescape(String cell) {
    if (cell.equals("\\N")) {
      return null;
    }
    if (cell.indexOf('\\') < 0) {
      return cell;
    }
    StringBuilder out = new StringBuilder(cell.length());
    for (int i = 0; i < cell.length(); i++) {
      char c = cell.charAt(i);
      if (c != '\\' || i + 1 == cell.length()) {
        out.append(c);
        continue;
      }
      char next = cell.charAt(++i);
      switch (next) {
        case 't' -> out.append('\t');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case '0' -> out.append('\0');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        default -> out.append(next);
      }
    }
    return out.toString();
  }
}
