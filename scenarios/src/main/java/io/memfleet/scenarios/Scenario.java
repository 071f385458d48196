package io.memfleet.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

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
      "expect-pool", "expect-culprit", "expect-oom", "leak-rate", "leak-starts-after", "ci");

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
  private final Duration leakStartsAfter;
  private final boolean ci;

  private Scenario(LabelParser.Fields f) {
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
    this.allow = f.allow.isEmpty() ? Set.of()
        : Collections.unmodifiableSet(EnumSet.copyOf(f.allow));
    this.expectPool = f.expectPool;
    this.expectCulprit = f.expectCulprit;
    this.expectOom = f.expectOom;
    this.leakRate = f.leakRate;
    this.leakStartsAfter = f.leakStartsAfter;
    this.ci = f.ci;
  }

  /**
   * Reads the label of scenario {@code id} from {@code in}, a properties file in UTF-8.
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
    return new Scenario(LabelParser.parse(id, label));
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

  /**
   * How long after its process starts the leak begins: {@link Duration#ZERO} when it starts with
   * the process (ambiguous for a while with a warm-up or a cache filling), more for a service
   * that ran steadily until a code path or a traffic pattern started leaking. Time to first alert
   * counts from the process start plus this; an alert before then is not a detection of the
   * leak.
   */
  public Duration leakStartsAfter() {
    return leakStartsAfter;
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

  /** The {@code expect} value in label syntax, e.g. {@code native-growth|outstanding-growth}. */
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
}
