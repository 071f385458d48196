package io.memfleet.sql;

import java.util.Arrays;

/**
 * A ClickHouse server version such as {@code 18.16.1} or {@code 24.8.4.13}, ordered numerically, for
 * the version gates of the migrations.
 */
public record ServerVersion(int[] parts) implements Comparable<ServerVersion> {

  /**
   * Parses {@code 18.16.1}-like text (anything after a part's digits is ignored: {@code 24.8.4.13-lts}).
   *
   * @throws IllegalArgumentException when a part has no digits or more than an int holds
   */
  public static ServerVersion parse(String text) {
    String[] fields = text.trim().split("\\.");
    int[] parts = new int[fields.length];
    for (int i = 0; i < fields.length; i++) {
      String digits = fields[i].replaceAll("[^0-9].*$", "");
      if (digits.isEmpty()) {
        throw new IllegalArgumentException("not a ClickHouse version: '" + text + "'");
      }
      try {
        parts[i] = Integer.parseInt(digits);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a ClickHouse version: '" + text + "' (part "
            + (i + 1) + " is too large)");
      }
    }
    return new ServerVersion(parts);
  }

  @Override
  public int compareTo(ServerVersion other) {
    int n = Math.max(parts.length, other.parts.length);
    for (int i = 0; i < n; i++) {
      int a = i < parts.length ? parts[i] : 0;
      int b = i < other.parts.length ? other.parts[i] : 0;
      if (a != b) {
        return Integer.compare(a, b);
      }
    }
    return 0;
  }

  public boolean atLeast(ServerVersion other) {
    return compareTo(other) >= 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServerVersion v && compareTo(v) == 0;
  }

  @Override
  public int hashCode() {
    int n = parts.length;
    while (n > 0 && parts[n - 1] == 0) {
      n--; // 18.16 and 18.16.0 are equal, so they must hash alike
    }
    return Arrays.hashCode(Arrays.copyOf(parts, n));
  }

  @Override
  public String toString() {
    return String.join(".", Arrays.stream(parts).mapToObj(String::valueOf).toList());
  }
}
