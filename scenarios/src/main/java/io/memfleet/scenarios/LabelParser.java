package io.memfleet.scenarios;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a label's properties into checked values for {@link Scenario}: every key validated,
 * every problem a {@link ScenarioLabelException} naming the file and the key.
 */
final class LabelParser {
  private static final Set<String> REQUIRED =
      Set.of("description", "runtime", "program", "expect", "expect-pool", "leak-rate");
  private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  private static final Pattern JAVA_CLASS =
      Pattern.compile("[a-zA-Z_$][\\w$]*(\\.[a-zA-Z_$][\\w$]*)+");
  private static final Pattern NATIVE_PROGRAM = Pattern.compile("[a-z0-9][a-z0-9_-]*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern MEMORY = Pattern.compile("(\\d+)([kmg]?)", Pattern.CASE_INSENSITIVE);
  private static final Pattern PERIOD = Pattern.compile("(\\d+)(ms|s|m|h)");

  /** Mutable bag the parser fills; only {@link Scenario}'s constructor reads it. */
  static final class Fields {
    String id;
    String description;
    Scenario.Runtime runtime;
    String program;
    List<String> args = List.of();
    List<String> jvmOptions = List.of();
    Map<String, String> env = Map.of();
    String cgroupMemoryLimit;
    long cgroupMemoryLimitBytes;
    Duration restartEvery;
    Duration leakStartsAfter = Duration.ZERO;
    List<Set<Rule>> expect = List.of();
    Set<Rule> allow = Set.of();
    Pool expectPool;
    String expectCulprit;
    boolean expectOom;
    LeakRate leakRate;
    boolean ci;
  }

  private final String file;
  private final Properties label;

  private LabelParser(String file, Properties label) {
    this.file = file;
    this.label = label;
  }

  static Fields parse(String id, Properties label) {
    String file = id + ".properties";
    if (!ID.matcher(id).matches()) {
      throw new ScenarioLabelException(file, null,
          "scenario id must be kebab-case (lower-case letters, digits, single hyphens)");
    }
    for (String key : label.stringPropertyNames()) {
      if (!Scenario.KEYS.contains(key)) {
        throw new ScenarioLabelException(file, key, "unknown key (known: "
            + String.join(", ", Scenario.KEYS) + ")");
      }
    }
    for (String key : REQUIRED) {
      if (label.getProperty(key, "").isBlank()) {
        throw new ScenarioLabelException(file, key, "required key is missing or empty");
      }
    }
    return new LabelParser(file, label).fields(id);
  }

  private Fields fields(String id) {
    Fields f = new Fields();
    f.id = id;
    f.description = value("description");
    if (f.description.contains("\n")) {
      throw fail("description", "must be one line");
    }
    f.runtime = convert("runtime", Scenario.Runtime::valueOf, "expected JVM, GO or NATIVE");
    f.program = program(f.runtime);
    f.args = words(optional("args"));
    f.jvmOptions = jvmOptions(f.runtime);
    f.env = env();
    cgroupLimit(f);
    f.restartEvery = restartEvery();
    f.expect = expect();
    f.allow = allow();
    f.expectPool = convert("expect-pool", Pool::of, null);
    f.expectCulprit = optional("expect-culprit");
    f.expectOom = bool("expect-oom");
    f.leakRate = convert("leak-rate", LeakRate::parse, null);
    f.leakStartsAfter = leakStartsAfter();
    f.ci = bool("ci");
    consistent(f);
    return f;
  }

  private String program(Scenario.Runtime runtime) {
    String v = value("program");
    boolean ok = switch (runtime) {
      case JVM -> JAVA_CLASS.matcher(v).matches();
      case GO, NATIVE -> NATIVE_PROGRAM.matcher(v).matches() && !v.endsWith(".c");
    };
    if (!ok) {
      throw fail("program", switch (runtime) {
        case JVM -> "expected a fully qualified Java main class, got '" + v + "'";
        case GO -> "expected a Go directory name under src/main/go, got '" + v + "'";
        case NATIVE -> "expected a C file name under src/main/c without .c, got '" + v + "'";
      });
    }
    return v;
  }

  private List<String> jvmOptions(Scenario.Runtime runtime) {
    List<String> options = words(optional("jvm-options"));
    if (!options.isEmpty() && runtime != Scenario.Runtime.JVM) {
      throw fail("jvm-options", "only a JVM scenario has JVM options (runtime is " + runtime
          + ")");
    }
    for (String o : options) {
      if (!o.startsWith("-")) {
        throw fail("jvm-options", "'" + o + "' is not a JVM flag (flags start with -)");
      }
    }
    return options;
  }

  private Map<String, String> env() {
    String v = optional("env");
    Map<String, String> env = new LinkedHashMap<>();
    if (v == null) {
      return env;
    }
    for (String pair : v.split(";")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? "" : pair.substring(0, eq).strip();
      if (!ENV_NAME.matcher(name).matches()) {
        throw fail("env", "expected KEY=VALUE;KEY2=VALUE2, got '" + pair.strip() + "'");
      }
      if (env.put(name, pair.substring(eq + 1).strip()) != null) {
        throw fail("env", name + " is set twice");
      }
    }
    return env;
  }

  private void cgroupLimit(Fields f) {
    String v = optional("cgroup-memory-limit");
    if (v == null) {
      return;
    }
    Matcher m = MEMORY.matcher(v);
    if (!m.matches()) {
      throw fail("cgroup-memory-limit", "expected bytes with an optional k, m or g suffix"
          + " (e.g. 256m), got '" + v + "'");
    }
    long shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      default -> 0;
    };
    long bytes;
    try {
      bytes = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
    } catch (ArithmeticException | NumberFormatException e) {
      throw fail("cgroup-memory-limit", "'" + v + "' is too large");
    }
    if (bytes < (1L << 20)) {
      throw fail("cgroup-memory-limit", "'" + v + "' is below 1 MiB; no program starts there");
    }
    f.cgroupMemoryLimit = v;
    f.cgroupMemoryLimitBytes = bytes;
  }

  private Duration restartEvery() {
    String v = optional("restart-every");
    if (v == null) {
      return null;
    }
    Duration d = period(v);
    if (d == null || d.isZero()) {
      throw fail("restart-every", "expected a positive period like 500ms, 5s, 1m or 1h, got '"
          + v + "'");
    }
    return d;
  }

  private Duration leakStartsAfter() {
    String v = optional("leak-starts-after");
    if (v == null || v.equals("0")) {
      return Duration.ZERO;
    }
    Duration d = period(v);
    if (d == null) {
      throw fail("leak-starts-after", "expected a duration like 180s or 3m (0: the leak starts"
          + " with the process), got '" + v + "'");
    }
    return d;
  }

  /** {@code 500ms}, {@code 5s}, {@code 3m}, {@code 1h}; null when {@code v} is none of these. */
  private static Duration period(String v) {
    Matcher m = PERIOD.matcher(v);
    if (!m.matches()) {
      return null;
    }
    try {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    } catch (ArithmeticException | NumberFormatException e) {
      return null; // beyond what a Duration holds
    }
  }

  private List<Set<Rule>> expect() {
    String v = value("expect");
    if (v.equals("none")) {
      return List.of();
    }
    List<Set<Rule>> groups = new ArrayList<>();
    for (String group : v.split(",", -1)) {
      Set<Rule> any = new LinkedHashSet<>();
      for (String name : group.split("\\|", -1)) {
        any.add(rule("expect", name.strip()));
      }
      groups.add(any);
    }
    return groups;
  }

  private Set<Rule> allow() {
    String v = optional("allow");
    Set<Rule> rules = new LinkedHashSet<>();
    if (v != null) {
      for (String name : v.split(",", -1)) {
        rules.add(rule("allow", name.strip()));
      }
    }
    return rules;
  }

  private Rule rule(String key, String name) {
    if (name.equals("none")) {
      throw fail(key, "'none' stands alone: a negative is expect=none and nothing else");
    }
    if (name.isEmpty()) {
      throw fail(key, "empty rule name (stray ',' or '|'?)");
    }
    try {
      return Rule.of(name);
    } catch (IllegalArgumentException e) {
      throw fail(key, e.getMessage());
    }
  }

  private void consistent(Fields f) {
    boolean negative = f.expect.isEmpty();
    if (negative != (f.expectPool == Pool.NONE)) {
      throw fail("expect-pool", negative
          ? "a negative (expect=none) grows no pool: write expect-pool=none"
          : "a scenario that expects rules must name the pool that grows, not none");
    }
    if (negative != f.leakRate.isZero()) {
      throw fail("leak-rate", negative ? "a negative (expect=none) has leak-rate=0"
          : "a scenario that expects rules leaks at a rate above 0");
    }
    if (negative && f.expectCulprit != null) {
      throw fail("expect-culprit", "a negative (expect=none) has no culprit");
    }
    if (negative && !f.leakStartsAfter.isZero()) {
      throw fail("leak-starts-after", "a negative (expect=none) has no leak to start");
    }
    if (f.expectOom && f.cgroupMemoryLimit == null
        && f.jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmx"))) {
      throw fail("expect-oom", "an OOM needs a limit: set cgroup-memory-limit (or -Xmx in"
          + " jvm-options for a JVM)");
    }
    for (Set<Rule> group : f.expect) {
      for (Rule r : group) {
        if (f.allow.contains(r)) {
          throw fail("allow", r.id() + " is already expected");
        }
      }
    }
  }

  private <T> T convert(String key, Function<String, T> parser, String problem) {
    String v = value(key);
    try {
      return parser.apply(v);
    } catch (IllegalArgumentException e) {
      throw fail(key, problem == null ? e.getMessage() : problem + ", got '" + v + "'");
    }
  }

  private boolean bool(String key) {
    String v = optional(key);
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw fail(key, "expected true or false, got '" + v + "'");
  }

  private String value(String key) {
    return label.getProperty(key).strip();
  }

  private String optional(String key) {
    String v = label.getProperty(key);
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static List<String> words(String v) {
    return v == null ? List.of() : Arrays.asList(v.split("\\s+"));
  }

  private ScenarioLabelException fail(String key, String problem) {
    return new ScenarioLabelException(file, key, problem);
  }
}
