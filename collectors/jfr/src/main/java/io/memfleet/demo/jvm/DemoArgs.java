package io.memfleet.demo.jvm;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} arguments of the demo apps, with defaults. */
final class DemoArgs {
  private final Map<String, String> values = new HashMap<>();

  DemoArgs(String[] args) {
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      values.put(args[i].substring(2), args[i + 1]);
    }
  }

  double number(String name, double fallback) {
    String v = values.get(name);
    return v == null ? fallback : Double.parseDouble(v);
  }
}
