package io.memfleet.pipeline.detect;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Completes a configuration from {@code MEMFLEET_*} environment variables for the options it does
 * not set; shared by the detection and forensics options.
 */
public final class OptionEnvironment {
  private OptionEnvironment() {}

  /** The environment variable of an option key: upper case, dots and dashes to underscores. */
  public static String envVar(ConfigOption<?> option) {
    return option.key().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * A copy of {@code conf} with each unset option of {@code options} taken from {@code env}.
   *
   * @throws IllegalArgumentException naming the variable when a value does not parse
   */
  public static Configuration resolve(Configuration conf, Map<String, String> env,
      List<ConfigOption<?>> options) {
    Configuration out = new Configuration(conf);
    for (ConfigOption<?> option : options) {
      String value = env.get(envVar(option));
      if (value == null || value.isBlank() || conf.contains(option)) {
        continue;
      }
      Configuration parsed = Configuration.fromMap(Map.of(option.key(), value.trim()));
      try {
        copy(parsed, out, option);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(envVar(option) + ": cannot parse '" + value + "': "
            + e.getMessage(), e);
      }
    }
    return out;
  }

  private static <T> void copy(Configuration from, Configuration to, ConfigOption<T> option) {
    to.set(option, from.get(option));
  }
}
