package io.memfleet.sql.query;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One declared parameter of a planner query, from a {@code -- param:} header line such as
 * {@code -- param: from DateTime default now-7d — start of the period}.
 *
 * @param name identifier used in {@code --param name=value} and in the {@code {name:Type}}
 *     placeholder
 * @param type its ClickHouse type
 * @param defaultValue the value used when none is given, written as a person would type it
 *     (empty when the parameter is required)
 * @param description what it means
 */
public record QueryParameter(String name, ParameterType type, Optional<String> defaultValue,
    String description) {
  static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  public QueryParameter {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(defaultValue, "defaultValue");
    Objects.requireNonNull(description, "description");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad parameter name '" + name + "'");
    }
  }

  public boolean required() {
    return defaultValue.isEmpty();
  }

  /** {@code from DateTime (default now-7d)}, for listings and help. */
  public String signature() {
    return name + " " + type.clickHouseName()
        + defaultValue.map(d -> " (default " + (d.isEmpty() ? "''" : d) + ")")
            .orElse(" (required)");
  }
}
