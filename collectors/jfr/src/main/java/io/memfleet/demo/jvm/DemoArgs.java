package io.memfleet.demo.jvm;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code --name value} arguments of the demo apps and of the JFR collector's test fixture
 * ({@code io.memfleet.collector.jfr.testing.LeakyCacheApp}), with defaults.
 */
public final class DemoArgs {
  private final Map<String, String> values = new HashMap<>();

  public DemoArgs(String[] args) {
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      values.put(args[i].substring(2), args[i + 1]);
    }
  }

  public double number(String name, double fallback) {
    String v = values.get(name);
    return v == null ? fallback : Double.parseDouble(v);
  }
}
