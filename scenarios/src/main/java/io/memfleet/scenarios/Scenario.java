package io.memfleet.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One labelled program of the corpus: how to run it and what a correct detector reports for it.
 * Parsed from {@code io/memfleet/scenarios/<id>.properties}; the keys are documented in the
 * module's README. Immutable; {@link #parse} validates every key and names the file and key in
 * its {@link ScenarioLabelException}.
 *
 * <pre>{@code
 * Scenario s = Corpus.byId("c-malloc-leak");
 * Path binary = ScenarioBuilds.build(s, workDir);
 * // ... run it, collect the alerts memfleet raised for its process ...
 * boolean found = s.satisfiedBy(firedRules);          // every expect group matched
 * Set<String> falsePositives = s.unexpected(firedRules);
 * }</pre>
 */
public final class Scenario {
  /** The label keys, in the order the README documents them. */
  public static final List<String> KEYS = List.of("description", "runtime", "program", "args",
      "jvm-options", "env", "cgroup-memory-limit", "restart-every", "expect", "allow",
      "expect-pool", "expect-culprit", "expect-oom", "leak-rate", "ci");

  private static final Set<String> REQUIRED =
      Set.of("description", "runtime", "program", "expect", "expect-pool", "leak-rate");
  private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  private static final Pattern JAVA_CLASS =
      Pattern.compile("[a-zA-Z_$][\\w$]*(\\.[a-zA-Z_$][\\w$]*)+");
  private static final Pattern NATIVE_PROGRAM = Pattern.compile("[a-z0-9][a-z0-9_-]*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern MEMORY = Pattern.compile("(\\d+)([kmg]?)", Pattern.CASE_INSENSITIVE);
  private static final Pattern PERIOD = Pattern.compile("(\\d+)(ms|s|m|h)");

  /** What runs the program. */
  public enum Runtime {
    JVM, GO, NATIVE
  }

  private final String id;
  private final String description;
  private final Runtime runtime;
  private final String program;
  private final List<String> args;
  private final List<String> jvmOptions;
  private final Map<String, String> env;
  private final String cgroupMemoryLimit;
  private final long cgroupMemoryLimitBytes;
  private final Duration restartEvery;
  private final List<Set<Rule>> expect;
  private final Set<Rule> allow;
  private final Pool expectPool;
  private final String expectCulprit;
  private final boolean expectOom;
  private final LeakRate leakRate;
  private final boolean ci;

  private Scenario(Fields f) {
    this.id = f.id;
    this.description = f.description;
    this.runtime = f.runtime;
    this.program = f.program;
    this.args = List.copyOf(f.args);
    this.jvmOptions = List.copyOf(f.jvmOptions);
    this.env = Collections.unmodifiableMap(new LinkedHashMap<>(f.env));
    this.cgroupMemoryLimit = f.cgroupMemoryLimit;
    this.cgroupMemoryLimitBytes = f.cgroupMemoryLimitBytes;
    this.restartEvery = f.restartEvery;
    List<Set<Rule>> groups = new ArrayList<>();
    for (Set<Rule> g : f.expect) {
      groups.add(Collections.unmodifiableSet(EnumSet.copyOf(g)));
    }
    this.expect = List.copyOf(groups);
    this.allow = f.allow.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(f.allow));
    this.expectPool = f.expectPool;
    this.expectCulprit = f.expectCulprit;
    this.expectOom = f.expectOom;
    this.leakRate = f.leakRate;
    this.ci = f.ci;
  }

  /**
   * Reads the label of scenario {@code id} from {@code in} (ISO-8859-1 escapes as in any
   * properties file; UTF-8 text).
   */
  public static Scenario read(String id, InputStream in) throws IOException {
    Properties p = new Properties();
    p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    return parse(id, p);
  }

  /**
   * Validates and converts the label of scenario {@code id}.
   *
   * @throws ScenarioLabelException naming {@code <id>.properties}, the key and the problem
   */
  public static Scenario parse(String id, Properties label) {
    String file = id + ".properties";
    if (!ID.matcher(id).matches()) {
      throw new ScenarioLabelException(file, null,
          "scenario id must be kebab-case (lower-case letters, digits, single hyphens)");
    }
    for (String key : label.stringPropertyNames()) {
      if (!KEYS.contains(key)) {
        throw new ScenarioLabelException(file, key, "unknown key (known: "
            + String.join(", ", KEYS) + ")");
      }
    }
    for (String key : REQUIRED) {
      if (label.getProperty(key, "").isBlank()) {
        throw new ScenarioLabelException(file, key, "required key is missing or empty");
      }
    }
    return new Parser(file, label).parse(id);
  }

  /** Kebab-case name, also the label file's base name, e.g. {@code jvm-g1-heap-leak}. */
  public String id() {
    return id;
  }

  /** One line: what the program is, in the words of its service. */
  public String description() {
    return description;
  }

  public Runtime runtime() {
    return runtime;
  }

  /**
   * The Java main class (fully qualified), the Go directory name or the C file name without
   * {@code .c}.
   */
  public String program() {
    return program;
  }

  /** The program's arguments. */
  public List<String> args() {
    return args;
  }

  /** The program's own JVM flags (empty = stock JVM); always empty unless {@link Runtime#JVM}. */
  public List<String> jvmOptions() {
    return jvmOptions;
  }

  /** Environment variables for the program, in label order. */
  public Map<String, String> env() {
    return env;
  }

  /** The memory cgroup limit in bytes to run the program under, if any. */
  public OptionalLong cgroupMemoryLimitBytes() {
    return cgroupMemoryLimit == null ? OptionalLong.empty()
        : OptionalLong.of(cgroupMemoryLimitBytes);
  }

  /** The limit as the label spells it, e.g. {@code 128m}, if any. */
  public Optional<String> cgroupMemoryLimit() {
    return Optional.ofNullable(cgroupMemoryLimit);
  }

  /** Start a new instance this often (cron-like; each instance exits by itself), if set. */
  public Optional<Duration> restartEvery() {
    return Optional.ofNullable(restartEvery);
  }

  /**
   * The rules that must fire: every group must be matched by at least one of its rules. Empty
   * for a hard negative ({@code expect=none}).
   */
  public List<Set<Rule>> expect() {
    return expect;
  }

  /** Rules that may fire without counting as a false positive. */
  public Set<Rule> allow() {
    return allow;
  }

  public Pool expectPool() {
    return expectPool;
  }

  /**
   * A substring of the leaking object's class or of the top stack frame, where a source can see
   * the code that leaks (e.g. {@code SessionRecord}, {@code leak_request_buffer}).
   */
  public Optional<String> expectCulprit() {
    return Optional.ofNullable(expectCulprit);
  }

  /** True when the program is expected to be OOM-killed or die of OutOfMemoryError. */
  public boolean expectOom() {
    return expectOom;
  }

  public LeakRate leakRate() {
    return leakRate;
  }

  /** True for the few scenarios CI runs. */
  public boolean ci() {
    return ci;
  }

  /** True for a hard negative: no rule may fire except those {@link #allow allowed}. */
  public boolean isNegative() {
    return expect.isEmpty();
  }

  /** Every rule that may fire without being a false positive: expected ones and allowed ones. */
  public Set<Rule> acceptedRules() {
    EnumSet<Rule> all = EnumSet.noneOf(Rule.class);
    expect.forEach(all::addAll);
    all.addAll(allow);
    return Collections.unmodifiableSet(all);
  }

  /** True when the fired rule names match every expect group (always true for a negative). */
  public boolean satisfiedBy(Collection<String> firedRules) {
    for (Set<Rule> group : expect) {
      if (group.stream().noneMatch(r -> firedRules.contains(r.id()))) {
        return false;
      }
    }
    return true;
  }

  /** The fired rule names that are neither expected nor allowed: the false positives. */
  public Set<String> unexpected(Collection<String> firedRules) {
    Set<String> accepted = new TreeSet<>();
    acceptedRules().forEach(r -> accepted.add(r.id()));
    Set<String> out = new TreeSet<>(firedRules);
    out.removeAll(accepted);
    return Collections.unmodifiableSet(out);
  }

  /** The {@code expect} value as a label writes it, e.g. {@code outstanding-growth|native-growth}. */
  public String expectText() {
    if (expect.isEmpty()) {
      return "none";
    }
    List<String> groups = new ArrayList<>();
    for (Set<Rule> g : expect) {
      groups.add(String.join("|", g.stream().map(Rule::id).toList()));
    }
    return String.join(",", groups);
  }

  @Override
  public String toString() {
    return id + " (" + runtime + " " + program + ", expect=" + expectText() + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Scenario s && s.id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** Mutable bag the parser fills; only {@link Scenario}'s constructor reads it. */
  private static final class Fields {
    String id;
    String description;
    Runtime runtime;
    String program;
    List<String> args = List.of();
    List<String> jvmOptions = List.of();
    Map<String, String> env = Map.of();
    String cgroupMemoryLimit;
    long cgroupMemoryLimitBytes;
    Duration restartEvery;
    List<Set<Rule>> expect = List.of();
    Set<Rule> allow = Set.of();
    Pool expectPool;
    String expectCulprit;
    boolean expectOom;
    LeakRate leakRate;
    boolean ci;
  }

  private static final class Parser {
    private final String file;
    private final Properties label;

    Parser(String file, Properties label) {
      this.file = file;
      this.label = label;
    }

    Scenario parse(String id) {
      Fields f = new Fields();
      f.id = id;
      f.description = value("description");
      if (f.description.contains("\n")) {
        throw fail("description", "must be one line");
      }
      f.runtime = convert("runtime", v -> Runtime.valueOf(v), "expected JVM, GO or NATIVE");
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
      f.ci = bool("ci");
      consistent(f);
      return new Scenario(f);
    }

    private String program(Runtime runtime) {
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

    private List<String> jvmOptions(Runtime runtime) {
      List<String> options = words(optional("jvm-options"));
      if (!options.isEmpty() && runtime != Runtime.JVM) {
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
      Matcher m = PERIOD.matcher(v);
      if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
        throw fail("restart-every", "expected a positive period like 500ms, 5s, 1m or 1h, got '"
            + v + "'");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
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
      if (f.expectCulprit != null && f.expectCulprit.isBlank()) {
        throw fail("expect-culprit", "empty; leave the key out where no source sees the code");
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
}
