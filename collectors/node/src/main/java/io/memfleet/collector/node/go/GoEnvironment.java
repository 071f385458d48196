package io.memfleet.collector.node.go;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The Go runtime settings a program was started with, from its environment
 * ({@code /proc/PID/environ}, read once per process): {@code GOGC}, {@code GOMEMLIMIT},
 * {@code GOMAXPROCS}, {@code GODEBUG}. A program can change GOGC and the memory limit at run time
 * ({@code debug.SetGCPercent}, {@code debug.SetMemoryLimit}); Go 1.19's memstats do not show
 * either, so the environment is the best outside view.
 *
 * <pre>{@code
 * GoEnvironment env = GoEnvironment.read(Path.of("/proc/4242/environ"));
 * int gogc = env.gogcPercent().orElse(-1);   // -1: GOGC=off
 * }</pre>
 *
 * @param raw the four variables as set (absent ones left out)
 */
public record GoEnvironment(Map<String, String> raw) {
  public static final GoEnvironment NONE = new GoEnvironment(Map.of());
  private static final String[] KEYS = {"GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG"};

  public GoEnvironment {
    raw = Map.copyOf(raw);
  }

  /** Reads an environ file; {@link #NONE} when it cannot be read (gone, another user's). */
  public static GoEnvironment read(Path environ) {
    try {
      return parse(Files.readAllBytes(environ));
    } catch (IOException e) {
      return NONE;
    }
  }

  /** Parses NUL-separated {@code NAME=value} entries; other variables are not kept. */
  public static GoEnvironment parse(byte[] environ) {
    Map<String, String> found = new LinkedHashMap<>();
    int start = 0;
    for (int i = 0; i <= environ.length; i++) {
      if (i == environ.length || environ[i] == 0) {
        if (i > start && environ[start] == 'G') {
          String entry = new String(environ, start, i - start, StandardCharsets.UTF_8);
          for (String key : KEYS) {
            if (entry.startsWith(key + "=")) {
              found.put(key, entry.substring(key.length() + 1));
            }
          }
        }
        start = i + 1;
      }
    }
    return new GoEnvironment(found);
  }

  /**
   * GOGC as the runtime reads it: the percentage (default 100), or empty for {@code off}. An
   * unreadable value counts as the default, as the runtime does ({@code atoi} failing).
   */
  public OptionalInt gogcPercent() {
    String v = raw.get("GOGC");
    if (v == null || v.isEmpty()) {
      return OptionalInt.of(100);
    }
    if (v.equals("off")) {
      return OptionalInt.empty();
    }
    try {
      int n = Integer.parseInt(v);
      return n < 0 ? OptionalInt.empty() : OptionalInt.of(n); // negative: off, as in readGOGC
    } catch (NumberFormatException e) {
      return OptionalInt.of(100);
    }
  }

  /**
   * GOMEMLIMIT in bytes ({@code 1GiB}, {@code 512MiB}, {@code 1048576B}, {@code 1048576}: the
   * runtime's {@code parseByteCount}); empty when unset, {@code off} or unreadable.
   */
  public OptionalLong memoryLimitBytes() {
    String v = raw.get("GOMEMLIMIT");
    if (v == null || v.isEmpty() || v.equals("off")) {
      return OptionalLong.empty();
    }
    long multiplier = 1;
    String digits = v;
    if (v.endsWith("B")) {
      digits = v.substring(0, v.length() - 1);
      if (digits.length() >= 2 && digits.endsWith("i")) {
        char unit = digits.charAt(digits.length() - 2);
        multiplier = switch (unit) {
          case 'K' -> 1L << 10;
          case 'M' -> 1L << 20;
          case 'G' -> 1L << 30;
          case 'T' -> 1L << 40;
          default -> 0;
        };
        digits = digits.substring(0, digits.length() - 2);
      }
    }
    try {
      long n = Long.parseLong(digits);
      if (multiplier == 0 || n < 0) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Math.multiplyExact(n, multiplier));
    } catch (NumberFormatException | ArithmeticException e) {
      return OptionalLong.empty();
    }
  }

  /** True when GODEBUG turns gctrace on (the program prints a trace line per cycle). */
  public boolean gctrace() {
    String v = raw.get("GODEBUG");
    if (v == null) {
      return false;
    }
    for (String kv : v.split(",")) {
      if (kv.strip().startsWith("gctrace=") && !kv.strip().equals("gctrace=0")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The settings to publish: GOGC (as set, or the runtime's default "100" when unset),
   * GOMEMLIMIT and GOMAXPROCS as set (GODEBUG is not published).
   */
  public Map<String, String> settings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("GOGC", raw.getOrDefault("GOGC", "100"));
    for (String key : new String[] {"GOMEMLIMIT", "GOMAXPROCS"}) {
      String v = raw.get(key);
      if (v != null) {
        s.put(key, v);
      }
    }
    return s;
  }
}
