package io.memfleet.k8s;

/**
 * Kubernetes resource quantities as numbers (cores, bytes), to compare requests with limits.
 *
 * <pre>{@code
 * Quantities.parse("250m"); // 0.25
 * Quantities.parse("4Gi");  // 4294967296
 * }</pre>
 */
final class Quantities {
  private static final String[] BINARY = {"Ki", "Mi", "Gi", "Ti"};
  private static final String[] DECIMAL = {"k", "M", "G", "T"};

  private Quantities() {}

  static double parse(String q) {
    for (int i = 0; i < BINARY.length; i++) {
      if (q.endsWith(BINARY[i])) {
        return Double.parseDouble(q.substring(0, q.length() - 2)) * Math.pow(1024, i + 1);
      }
    }
    for (int i = 0; i < DECIMAL.length; i++) {
      if (q.endsWith(DECIMAL[i])) {
        return Double.parseDouble(q.substring(0, q.length() - 1)) * Math.pow(1000, i + 1);
      }
    }
    if (q.endsWith("m")) {
      return Double.parseDouble(q.substring(0, q.length() - 1)) / 1000;
    }
    return Double.parseDouble(q);
  }
}
