package io.memfleet.probe.internal;

import java.time.Duration;

/**
 * The agent's options, from its argument string: comma-separated {@code key=value} pairs, or the
 * bare word {@code stop}. Every option has a default that suits a production JVM.
 *
 * <ul>
 *   <li>{@code sampleBytes} (262144): mean bytes allocated between two sampled allocations. An
 *       allocation of {@code c} bytes is sampled with probability {@code 1 - exp(-c/sampleBytes)}.
 *   <li>{@code period} (10): seconds between two reports, at least.
 *   <li>{@code maxSites} (1024): distinct stacks tracked; later stacks count as one "other" site.
 *   <li>{@code stop}: remove the probe from the JVM again.
 * </ul>
 */
record ProbeOptions(long sampleBytes, Duration period, int maxSites, boolean stop) {
  static final long DEFAULT_SAMPLE_BYTES = 256 * 1024;
  static final Duration DEFAULT_PERIOD = Duration.ofSeconds(10);
  static final int DEFAULT_MAX_SITES = 1024;

  ProbeOptions {
    if (sampleBytes <= 0) {
      throw new IllegalArgumentException("sampleBytes must be positive, not " + sampleBytes);
    }
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive, not " + period);
    }
    if (maxSites <= 0) {
      throw new IllegalArgumentException("maxSites must be positive, not " + maxSites);
    }
  }

  static ProbeOptions defaults() {
    return new ProbeOptions(DEFAULT_SAMPLE_BYTES, DEFAULT_PERIOD, DEFAULT_MAX_SITES, false);
  }

  /** Parses an agent argument string; null or blank gives the defaults. */
  static ProbeOptions parse(String args) {
    long sampleBytes = DEFAULT_SAMPLE_BYTES;
    Duration period = DEFAULT_PERIOD;
    int maxSites = DEFAULT_MAX_SITES;
    boolean stop = false;
    if (args != null) {
      for (String option : args.split(",")) {
        String trimmed = option.trim();
        if (trimmed.isEmpty()) {
          continue;
        }
        if (trimmed.equals("stop")) {
          stop = true;
          continue;
        }
        int eq = trimmed.indexOf('=');
        if (eq < 0) {
          throw new IllegalArgumentException("option '" + trimmed + "' is not key=value or stop");
        }
        String key = trimmed.substring(0, eq).trim();
        String value = trimmed.substring(eq + 1).trim();
        switch (key) {
          case "sampleBytes" -> sampleBytes = number(key, value);
          case "period" -> period = Duration.ofSeconds(number(key, value));
          case "maxSites" -> maxSites = Math.toIntExact(number(key, value));
          default -> throw new IllegalArgumentException("unknown option '" + key
              + "' (known: sampleBytes, period, maxSites, stop)");
        }
      }
    }
    return new ProbeOptions(sampleBytes, period, maxSites, stop);
  }

  private static long number(String key, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, not '" + value + "'");
    }
  }
}
