package io.memfleet.collector.node.procfs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code Key:   value [kB]} layout shared by {@code status} and {@code smaps_rollup}.
 *
 * <p>Values carrying a {@code kB} unit are converted to bytes. Lines that do not fit the layout
 * are counted, never thrown: a new kernel adding a field must not stop collection.
 */
final class KbFields {
  final Map<String, String> raw = new LinkedHashMap<>();
  int malformedLines;

  static KbFields parse(String text) {
    KbFields fields = new KbFields();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        // smaps_rollup's first line is the address range header, not a field
        if (!line.contains("[rollup]")) {
          fields.malformedLines++;
        }
        continue;
      }
      fields.raw.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
    }
    return fields;
  }

  /** Bytes of a {@code N kB} field, or null when absent or not a number. */
  Long bytes(String key) {
    String value = raw.get(key);
    if (value == null) {
      return null;
    }
    String[] parts = value.split("\\s+");
    try {
      long n = Long.parseLong(parts[0]);
      if (parts.length > 1 && parts[1].equalsIgnoreCase("kB")) {
        return n * 1024;
      }
      return n;
    } catch (NumberFormatException e) {
      malformedLines++;
      return null;
    }
  }

  /** A plain integer field, or null when absent or not a number. */
  Long number(String key) {
    String value = raw.get(key);
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value.split("\\s+")[0]);
    } catch (NumberFormatException e) {
      malformedLines++;
      return null;
    }
  }
}
