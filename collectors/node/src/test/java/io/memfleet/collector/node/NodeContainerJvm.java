package io.memfleet.collector.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The JVM the collector DaemonSet's {@code node} container runs, read from the files that ship
 * it, so that {@link ScanOverheadIT} measures the collector as users run it and the two cannot
 * drift apart: the options of the image's launch script ({@code k8s/images/collector/memfleet},
 * its {@code exec java} line) with the container's {@code MEMFLEET_JAVA_OPTS} put in where the
 * script expands it ({@code k8s/base/collector/daemonset.yaml}), in the script's order.
 *
 * <p>In its pod that JVM also sees the container's limits, not the host: its CPU limit as its
 * processor count (rounded up) and its memory limit as the machine's memory, which decide its
 * garbage collector, heap size and compiler threads. {@link #containerView()} gives the same view
 * to a JVM outside a container ({@code -XX:ActiveProcessorCount}, {@code -XX:MaxRAM}).
 *
 * <pre>{@code
 * NodeContainerJvm jvm = NodeContainerJvm.fromRepository(NodeContainerJvm.repositoryRoot());
 * List<String> javaArgs = jvm.harnessOptions(); // options, then the container's view
 * }</pre>
 *
 * <p>Only the base is read: {@link #fromRepository} refuses a tree whose overlays change the
 * node container's environment or resources, since then no single configuration ships.
 *
 * @param options JVM options in launch order
 * @param cpuLimit the container's CPU limit in cores, empty without one
 * @param memoryLimitBytes the container's memory limit, empty without one
 */
record NodeContainerJvm(List<String> options, Optional<BigDecimal> cpuLimit,
    OptionalLong memoryLimitBytes) {
  static final String LAUNCH_SCRIPT = "k8s/images/collector/memfleet";
  static final String DAEMONSET = "k8s/base/collector/daemonset.yaml";
  static final String DAEMONSET_NAME = "memfleet-collector";
  static final String CONTAINER = "node";
  static final String JAVA_OPTS_VARIABLE = "MEMFLEET_JAVA_OPTS";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  NodeContainerJvm {
    options = List.copyOf(options);
  }

  /** The checkout: MEMFLEET_REPO_ROOT (set by failsafe), else the first directory above. */
  static Path repositoryRoot() {
    String env = System.getenv("MEMFLEET_REPO_ROOT");
    Path start = env != null && !env.isBlank() ? Path.of(env) : Path.of("").toAbsolutePath();
    for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve(DAEMONSET))) {
        return p;
      }
    }
    throw new IllegalStateException("no " + DAEMONSET + " at or above " + start);
  }

  /** Reads the launch script and the DaemonSet of the checkout at {@code root}. */
  static NodeContainerJvm fromRepository(Path root) throws IOException {
    refuseOverlayChanges(root.resolve("k8s/overlays"));
    return parse(Files.readString(root.resolve(LAUNCH_SCRIPT)),
        Files.readString(root.resolve(DAEMONSET)));
  }

  /** From the text of the launch script and of the manifest holding the DaemonSet. */
  static NodeContainerJvm parse(String launchScript, String daemonSetYaml) throws IOException {
    JsonNode container = nodeContainer(daemonSetYaml).orElseThrow(() ->
        new IllegalArgumentException("no container " + CONTAINER + " in DaemonSet "
            + DAEMONSET_NAME));
    String javaOpts = "";
    for (JsonNode env : container.path("env")) {
      if (JAVA_OPTS_VARIABLE.equals(env.path("name").asText())) {
        if (!env.has("value")) {
          throw new IllegalArgumentException(JAVA_OPTS_VARIABLE + " is not a literal value");
        }
        javaOpts = env.path("value").asText();
      }
    }
    JsonNode limits = container.path("resources").path("limits");
    Optional<BigDecimal> cpu = limits.hasNonNull("cpu")
        ? Optional.of(quantity(limits.get("cpu").asText())) : Optional.empty();
    OptionalLong memory = limits.hasNonNull("memory")
        ? OptionalLong.of(quantity(limits.get("memory").asText())
            .setScale(0, RoundingMode.CEILING).longValueExact())
        : OptionalLong.empty();
    return new NodeContainerJvm(launchOptions(launchScript, javaOpts), cpu, memory);
  }

  /**
   * The options the JVM of a container with these limits takes from its cgroup, for a JVM that
   * runs outside one: processors = the CPU limit rounded up (as HotSpot reads a CFS quota),
   * memory = the memory limit.
   */
  List<String> containerView() {
    List<String> view = new ArrayList<>();
    cpuLimit.ifPresent(c -> view.add("-XX:ActiveProcessorCount="
        + Math.max(1, c.setScale(0, RoundingMode.CEILING).intValueExact())));
    memoryLimitBytes.ifPresent(m -> view.add("-XX:MaxRAM=" + m));
    return view;
  }

  /** {@link #options()} then {@link #containerView()}: the command line of a harness JVM. */
  List<String> harnessOptions() {
    List<String> all = new ArrayList<>(options);
    all.addAll(containerView());
    return all;
  }

  /**
   * The options of the script's {@code exec java} line (continuation lines joined): the words
   * between {@code java} and the class path, with {@code MEMFLEET_JAVA_OPTS} expanded as the
   * shell does (unquoted: split on blanks). Any other expansion is refused: its value is
   * unknown here.
   */
  static List<String> launchOptions(String script, String javaOpts) {
    String joined = script.replace("\\\n", " ");
    String exec = joined.lines().map(String::strip).filter(l -> l.startsWith("exec java "))
        .findFirst().orElseThrow(() -> new IllegalArgumentException(
            "no 'exec java' line in the launch script"));
    List<String> words = Arrays.asList(exec.split("\\s+"));
    List<String> options = new ArrayList<>();
    for (String w : words.subList(2, words.size())) {
      if (w.equals("-cp") || w.equals("-classpath") || w.equals("-jar") || !w.startsWith("-")
          && !w.startsWith("$")) {
        return options;
      }
      if (w.matches("\\$\\{?" + JAVA_OPTS_VARIABLE + "(:-)?}?")) {
        Arrays.stream(javaOpts.strip().split("\\s+")).filter(s -> !s.isEmpty())
            .forEach(options::add);
      } else if (w.contains("$")) {
        throw new IllegalArgumentException("unknown expansion " + w + " on the exec line");
      } else {
        options.add(w);
      }
    }
    throw new IllegalArgumentException("no class path or main class on the exec line");
  }

  private static Optional<JsonNode> nodeContainer(String yaml) throws IOException {
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || !"DaemonSet".equals(doc.path("kind").asText())
            || !DAEMONSET_NAME.equals(doc.path("metadata").path("name").asText())) {
          continue;
        }
        for (JsonNode c : doc.path("spec").path("template").path("spec").path("containers")) {
          if (CONTAINER.equals(c.path("name").asText())) {
            return Optional.of(c);
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Fails when an overlay patch sets the node container's environment or resources, or patches
   * the collector DaemonSet with JSON patches this class cannot follow.
   */
  static void refuseOverlayChanges(Path overlays) throws IOException {
    if (!Files.isDirectory(overlays)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(overlays)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    for (Path f : files) {
      String text = Files.readString(f);
      Optional<JsonNode> node = nodeContainer(text);
      if (node.isPresent() && (node.get().has("env") || node.get().has("resources"))) {
        throw new IllegalStateException(f + " changes the " + CONTAINER + " container's env or"
            + " resources: the overhead harness reads " + DAEMONSET + " only");
      }
      if (f.getFileName().toString().equals("kustomization.yaml")) {
        for (JsonNode p : YAML.readTree(text).path("patches")) {
          JsonNode target = p.path("target");
          if (p.has("patch") && "DaemonSet".equals(target.path("kind").asText())
              && (!target.has("name")
                  || DAEMONSET_NAME.matches(target.path("name").asText()))) {
            throw new IllegalStateException(f + " patches DaemonSet " + DAEMONSET_NAME
                + " inline: the overhead harness reads " + DAEMONSET + " only");
          }
        }
      }
    }
  }

  private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
      Map.entry("m", new BigDecimal("0.001")),
      Map.entry("k", BigDecimal.valueOf(1_000L)),
      Map.entry("M", BigDecimal.valueOf(1_000_000L)),
      Map.entry("G", BigDecimal.valueOf(1_000_000_000L)),
      Map.entry("T", BigDecimal.valueOf(1_000_000_000_000L)),
      Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
      Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
      Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
      Map.entry("Ti", BigDecimal.valueOf(1L << 40)));

  /** A Kubernetes quantity ({@code 500m}, {@code 2}, {@code 384Mi}, {@code 1G}) as a number. */
  static BigDecimal quantity(String q) {
    String s = q.strip();
    int i = s.length();
    while (i > 0 && Character.isLetter(s.charAt(i - 1))) {
      i--;
    }
    String suffix = s.substring(i);
    BigDecimal factor = suffix.isEmpty() ? BigDecimal.ONE : SUFFIXES.get(suffix);
    if (factor == null || i == 0) {
      throw new IllegalArgumentException("unsupported quantity " + q);
    }
    return new BigDecimal(s.substring(0, i)).multiply(factor);
  }
}
