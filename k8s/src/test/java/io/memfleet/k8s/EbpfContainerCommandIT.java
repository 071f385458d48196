package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.memfleet.event.Allocation;
import io.memfleet.event.AllocationKind;
import io.memfleet.event.MappingOp;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.PageFault;
import io.memfleet.event.ProcessIdentity;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.localstack.testing.SecureKafka;
import io.memfleet.schema.Topics;
import io.memfleet.schema.codec.EventCodec;
import io.memfleet.schema.codec.Events;
import io.memfleet.schema.kafka.KafkaSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eBPF container of the collector DaemonSet, run as a pod runs it: the image's entrypoint
 * ({@code k8s/images/collector/memfleet}) with the container's {@code args} and environment read
 * from the built manifest, on the launcher exactly as the image packs it (the Dockerfile copies
 * {@code launcher/target/lib} and the launcher jar into {@code /opt/memfleet/lib}), as root with
 * only the container's capabilities ({@code setpriv}: bounding set = the manifest's
 * {@code capabilities.add}, no new privileges). Substituted, because they must differ on this
 * machine: the Kafka address (a real local broker), the node name (the downward API), the
 * container's mount paths by the host paths the manifest mounts there (the spool and
 * {@code emptyDir}s by temporary directories), {@code /opt/memfleet/lib} (links to the jars under
 * {@code k8s/target/ebpf-container-it}). It runs in a mount namespace of its own
 * where what the container mounts read-only at a host path's own place (tracefs) is read-only
 * and debugfs is absent, as in the container. For ~20 s a real C program maps and faults memory
 * (the bundled leaky demo); its events must be published with its identity, then SIGTERM (what
 * the kubelet sends) must stop the collector and its bpftrace children. With the
 * {@code malloc-escalation} component (tracefs writable), a C program leaking through malloc
 * must be probed and its leaking function published with what it still holds (reporting every 2 s
 * instead of 10, an environment setting, so that this takes seconds).
 *
 * <p>The broker is secured as the manifests' Strimzi cluster is: SASL_SSL with SCRAM-SHA-512 and
 * ACLs ({@link SecureKafka}). The container's user ({@code MEMFLEET_KAFKA_USERNAME}) is created
 * there with exactly the ACLs of its {@code KafkaUser} in the built manifests, and its Secret
 * volume becomes a directory holding that user's password and the broker's CA under the items'
 * paths, as the kubelet projects Strimzi's Secrets. The events are read back as the manifests'
 * pipeline user, in its consumer group: the two users' ACLs are enough on a real broker; and the
 * eBPF user may not write another collector's topic.
 */
class EbpfContainerCommandIT {
  /** How long a run lasts at least, and the base's run. */
  private static final Duration RUN = Duration.ofSeconds(20);
  /** The longest a run waits for what it waits for. */
  private static final Duration LONGEST = Duration.ofSeconds(120);
  private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  /**
   * A Java exception the collector printed: its class name then a message or the line's end.
   * Not the word alone: the report's native stacks name C++ symbols such as the JIT's
   * {@code ExceptionHandlerTable} (a JVM on the node faulting in code cache).
   */
  private static final Pattern THROWN = Pattern.compile("[\\w.$]+(Exception|Error)(: |\\R|$)");

  @TempDir Path dir;

  @Test
  void theShippedEbpfCommandTracesTheNodeAndPublishesForAProcessThatMapsAndFaults()
      throws Exception {
    Path leaky = compile(K8sTree.repo().resolve("collectors/ebpf/src/main/resources/io/memfleet/"
        + "collector/ebpf/demo/leaky.c"));
    Ran ran = runContainer("base", List.of(leaky.toString(), "400", "4096", "0", "5"),
        Map.of(), output -> false, RUN);
    String output = ran.output();
    assertThat(output).as(output).contains("processes host-wide: traced=")
        .contains("mmap   events=").contains("faults events=").doesNotContainPattern(THROWN);
    List<SpecificRecord> ofTarget = ran.ofTarget("leaky");
    assertThat(ofTarget).as(output).isNotEmpty();
    ProcessIdentity identity = Events.header(ofTarget.get(0)).getProcess();
    assertThat(identity.getNode()).isEqualTo(ran.env().get("MEMFLEET_NODE"));
    assertThat(identity.getCluster()).isEqualTo(ran.env().get("MEMFLEET_CLUSTER"));
    assertThat(ofTarget).filteredOn(e -> e instanceof MemoryMapping m
            && m.getOp() == MappingOp.MMAP && m.getLengthBytes() == 65536)
        .as("the demo's leaked 64 KiB mappings, with the leaking function")
        .anySatisfy(e -> assertThat(((MemoryMapping) e).getStack().getFrames())
            .contains("leak_mappings"));
    assertThat(ofTarget).anyMatch(e -> e instanceof PageFault);
    assertThat(ran.events()).noneMatch(e -> Events.header(e).getProcess().getComm()
        .equals("bpftrace"));
  }

  /**
   * With {@code components/malloc-escalation} (tracefs writable, no capability added), the
   * container's malloc escalation probes a process whose malloc heap grows and publishes what
   * the leaking function still holds: a C program leaking one 1 KiB request buffer in eight, at
   * 4000 requests/s (0.5 MiB/s). The base's read-only tracefs refuses those probes.
   */
  @Test
  void withTheMallocEscalationComponentALeakingProcessIsProbedAndItsLeakNamed()
      throws Exception {
    Path leak = compile(K8sTree.repo().resolve("collectors/ebpf/src/test/resources/io/memfleet/"
        + "collector/ebpf/hostwide/request_leak.c"));
    // reports every 2 s, not 10 (an environment setting, the shipped args unchanged): the
    // escalation starts after three intervals of heap growth, so within seconds, not a minute
    Ran ran = runContainer("src/test/resources/malloc-escalation-collector",
        List.of(leak.toString()), Map.of("MEMFLEET_EBPF_REPORT_INTERVAL", "2s",
            "MEMFLEET_EBPF_MIN_AGE", "2s"), output -> output.contains("outstanding top:"),
        LONGEST);
    String output = ran.output();
    assertThat(output).as(output).contains("malloc escalation: probing=pids [" + ran.targetPid())
        .doesNotContain("could not probe").doesNotContainPattern(THROWN);
    assertThat(ran.ofTarget("request_leak")).filteredOn(e -> e instanceof Allocation a
            && a.getKind() == AllocationKind.OUTSTANDING && a.getStack() != null)
        .as("what the probed process's stacks still hold, the leaking function among them")
        .anySatisfy(e -> assertThat(((Allocation) e).getStack().getFrames())
            .contains("leak_request_buffer"));
  }

  /** A run of the container: what it printed, what it published, for which target. */
  private record Ran(String output, List<SpecificRecord> events, long targetPid,
      Map<String, String> env) {
    List<SpecificRecord> ofTarget(String comm) {
      return events.stream()
          .filter(e -> Events.header(e).getProcess().getPid() == targetPid)
          .filter(e -> Events.header(e).getProcess().getComm().equals(comm)).toList();
    }
  }

  /**
   * Runs the eBPF container of {@code build}'s DaemonSet, its environment plus {@code settings},
   * beside {@code target} for {@link #RUN} at least, until its output satisfies {@code done} and
   * two report intervals more or {@code longest} has passed, stops it with SIGTERM, and reads
   * what it published. Host paths mounted
   * read-only into the container at their own path (tracefs) are read-only for it here too, in a
   * mount namespace of its own, which has no debugfs, as a container has none.
   */
  private Ran runContainer(String build, List<String> target, Map<String, String> settings,
      java.util.function.Predicate<String> done, Duration longest) throws Exception {
    Capabilities.require("0".equals(uid()), "root (the container runs as user 0)");
    Capabilities.require(onPath("bpftrace"), "bpftrace (apt-get install bpftrace)");
    Capabilities.require(onPath("setpriv"), "setpriv (util-linux)");
    Capabilities.require(onPath("unshare"), "unshare (util-linux)");
    Capabilities.require(onPath("gcc"), "gcc (apt-get install gcc)");
    Path repo = K8sTree.repo();
    Path launcherJar = repo.resolve("launcher/target/memfleet-launcher-" + K8sTree.version()
        + ".jar");
    assertThat(repo.resolve("launcher/target/lib")).as("the launcher as the image packs it; "
        + "build with mvn -pl k8s -am verify").isDirectory();
    assertThat(launcherJar).isRegularFile();

    // the container as the manifests build it
    var resources = K8sTree.build(build);
    Map<String, Object> pod = at(K8sTree.one(resources, "DaemonSet", "memfleet-collector"),
        "spec", "template", "spec");
    Map<String, Object> ebpf = K8sTree.containers(pod).stream()
        .filter(c -> "ebpf".equals(c.get("name"))).findFirst().orElseThrow();
    Map<String, String> mounts = hostPathsOfMounts(pod, ebpf);
    List<String> capabilities = at(ebpf, "securityContext", "capabilities", "add");

    // the test process, and the broker standing in for Strimzi's
    Process targetProcess = new ProcessBuilder(target)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Process collector = null;
    List<ProcessHandle> children = List.of();
    Path log = dir.resolve("collector.log");
    try (SecureKafka kafka = SecureKafka.start(dir.resolve("secure"))) {
      kafka.createTopics(Topics.all().stream().map(t -> new NewTopic(t, 1, (short) 1)).toList());
      Map<String, Path> passwords = new HashMap<>();
      for (String user : List.of(username(ebpf), "memfleet-pipeline")) {
        passwords.put(user, kafka.createUser(user));
        kafka.grant(KafkaUserAcls.of(K8sTree.one(resources, "KafkaUser", user)));
      }
      projectSecrets(pod, ebpf, mounts, passwords, kafka.caFile());
      Map<String, String> env = environment(resources, ebpf, mounts, kafka.bootstrapServers());
      env.putAll(settings);
      Duration report = Duration.parse("PT" + env.getOrDefault("MEMFLEET_EBPF_REPORT_INTERVAL",
          "10s").toUpperCase(Locale.ROOT));
      KafkaSecurity security = KafkaSecurity.fromEnvironment(env);
      assertThat(security.protocol()).isEqualTo(KafkaSecurity.Protocol.SASL_SSL);
      assertThat(Path.of(security.passwordFile())).hasSameTextualContentAs(
          passwords.get(security.username()));
      List<String> args = new ArrayList<>();
      for (Object a : (List<?>) ebpf.get("args")) {
        args.add(substitutePaths(expand(String.valueOf(a), env), mounts));
      }
      assertThat(args.get(0)).isEqualTo("ebpf");
      assertThat(args).noneMatch(a -> a.startsWith("--pid"));

      List<String> command = new ArrayList<>(List.of("unshare", "--mount",
          "--propagation", "private", "sh", "-c", mountsAsInTheContainer(pod, ebpf)
              + " && exec \"$@\"", "sh", "setpriv",
          "--bounding-set=-all," + String.join(",", capabilities.stream()
              .map(c -> "+" + c.toLowerCase(Locale.ROOT)).toList()),
          "--inh-caps=-all", "--no-new-privs", "--", "sh", entrypoint(repo, launcherJar)
              .toString()));
      command.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile());
      pb.environment().clear();
      pb.environment().put("PATH", System.getenv("PATH"));
      pb.environment().putAll(env);
      long started = System.nanoTime();
      long doneAt = Long.MAX_VALUE;
      collector = pb.start();
      while (System.nanoTime() - started < longest.toNanos()) {
        assertThat(collector.isAlive()).as("collector exited early:%n%s", read(log)).isTrue();
        long now = System.nanoTime();
        if (doneAt == Long.MAX_VALUE && done.test(read(log))) {
          doneAt = now; // one report interval more, for what it saw to be published
        }
        if (now - started >= RUN.toNanos() && doneAt != Long.MAX_VALUE
            && now - doneAt >= 2 * report.toNanos()) {
          break;
        }
        Thread.sleep(500);
      }
      children = collector.descendants().toList();
      assertThat(children).as("bpftrace children").anyMatch(p -> p.info().command()
          .map(c -> c.endsWith("/bpftrace")).orElse(false));
      collector.destroy(); // SIGTERM, as the kubelet stops a container
      assertThat(collector.waitFor(30, TimeUnit.SECONDS)).as("stopped within the grace period")
          .isTrue();
      assertThat(children).as("no bpftrace child outlives the collector")
          .noneMatch(ProcessHandle::isAlive);

      String output = read(log);
      System.out.println("collector output:\n" + output);
      List<SpecificRecord> events = read(client(kafka, "memfleet-pipeline",
          passwords.get("memfleet-pipeline")), Topics.EVENTS_EBPF);

      // the container's user may write its own sources' topics, not the node collector's
      try (var producer = new KafkaProducer<>(client(kafka, security.username(),
          Path.of(security.passwordFile())), new ByteArraySerializer(),
          new ByteArraySerializer())) {
        assertThat(catchThrowable(() -> producer.send(new ProducerRecord<>(
            Topics.EVENTS_PROCFS, new byte[] {1})).get(30, TimeUnit.SECONDS)))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(TopicAuthorizationException.class);
      }
      return new Ran(output, events, targetProcess.pid(), env);
    } finally {
      if (collector != null) {
        collector.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      children.forEach(ProcessHandle::destroyForcibly);
      targetProcess.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Shell commands that make this mount namespace look like the container's where it matters:
   * no debugfs (a container has none), and each host path the container mounts read-only at its
   * own path (tracefs) read-only.
   */
  @SuppressWarnings("unchecked")
  private static String mountsAsInTheContainer(Map<String, Object> pod,
      Map<String, Object> container) {
    Map<String, String> hostPaths = new HashMap<>();
    for (Map<String, Object> v : (List<Map<String, Object>>) pod.get("volumes")) {
      if (v.get("hostPath") != null) {
        hostPaths.put((String) v.get("name"), at(v, "hostPath", "path"));
      }
    }
    List<String> steps = new ArrayList<>(List.of("{ umount -l /sys/kernel/debug 2>/dev/null"
        + " || true; }"));
    for (Map<String, Object> m : (List<Map<String, Object>>) container.get("volumeMounts")) {
      String path = (String) m.get("mountPath");
      if (path.equals(hostPaths.get((String) m.get("name")))
          && Boolean.TRUE.equals(m.get("readOnly"))) {
        steps.add("mount --bind " + path + " " + path + " && mount -o remount,bind,ro " + path);
      }
    }
    return String.join(" && ", steps);
  }

  /**
   * The container's environment: its ConfigMap ({@code envFrom}), then its {@code env} (the
   * downward API's node name is this host's name), with the Kafka address of the local broker
   * and container paths replaced by what they are mounted from.
   */
  @SuppressWarnings("unchecked")
  private Map<String, String> environment(List<Map<String, Object>> resources,
      Map<String, Object> container, Map<String, String> mounts, String bootstrap)
      throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<String, Object> from : (List<Map<String, Object>>) container.get("envFrom")) {
      String name = at(from, "configMapRef", "name");
      Map<String, Object> data = at(K8sTree.one(resources, "ConfigMap", name), "data");
      data.forEach((k, v) -> env.put(k, String.valueOf(v)));
    }
    for (Map<String, Object> e : (List<Map<String, Object>>) container.get("env")) {
      String name = (String) e.get("name");
      if (e.get("value") != null) {
        env.put(name, expand(String.valueOf(e.get("value")), env));
      } else if ("spec.nodeName".equals(at(e, "valueFrom", "fieldRef", "fieldPath"))) {
        env.put(name, Files.readString(Path.of("/proc/sys/kernel/hostname")).strip());
      } else {
        throw new AssertionError("the test does not know how to set " + e);
      }
    }
    assertThat(env).containsKey("MEMFLEET_KAFKA_BOOTSTRAP");
    env.put("MEMFLEET_KAFKA_BOOTSTRAP", bootstrap);
    assertThat(env.get(KafkaSecurity.ENV_PROTOCOL)).isEqualTo("SASL_SSL");
    env.replaceAll((k, v) -> substitutePaths(v, mounts));
    return env;
  }

  /**
   * Container mount path → the path on this machine: a host path is the host path itself,
   * except the writable spool on the node's disk, which becomes a temporary directory, as do
   * {@code emptyDir}s.
   */
  @SuppressWarnings("unchecked")
  private Map<String, String> hostPathsOfMounts(Map<String, Object> pod,
      Map<String, Object> container) throws IOException {
    Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
    for (Map<String, Object> v : (List<Map<String, Object>>) pod.get("volumes")) {
      volumes.put((String) v.get("name"), v);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map<String, Object> m : (List<Map<String, Object>>) container.get("volumeMounts")) {
      Map<String, Object> volume = volumes.get((String) m.get("name"));
      String hostPath = volume.get("hostPath") == null ? null : at(volume, "hostPath", "path");
      boolean readOnly = Boolean.TRUE.equals(m.get("readOnly"));
      boolean nodeDisk = hostPath != null && hostPath.startsWith("/var/lib/");
      String local = hostPath != null && (readOnly || !nodeDisk) ? hostPath
          : Files.createDirectories(dir.resolve("mount-" + m.get("name"))).toString();
      out.put((String) m.get("mountPath"), local);
    }
    return out;
  }

  /** The Kafka user the container logs in as. */
  @SuppressWarnings("unchecked")
  private static String username(Map<String, Object> container) {
    return ((List<Map<String, Object>>) container.get("env")).stream()
        .filter(e -> KafkaSecurity.ENV_USERNAME.equals(e.get("name")))
        .map(e -> (String) e.get("value")).findFirst()
        .orElseThrow(() -> new AssertionError(container.get("name") + " sets no "
            + KafkaSecurity.ENV_USERNAME));
  }

  /**
   * Writes what the container's projected Secret volumes hold into the directories standing in
   * for their mounts: a KafkaUser's {@code password} (the password the broker knows for that
   * user) and the cluster CA's {@code ca.crt} (the CA of the test broker), at each item's path.
   */
  @SuppressWarnings("unchecked")
  private static void projectSecrets(Map<String, Object> pod, Map<String, Object> container,
      Map<String, String> mounts, Map<String, Path> passwords, Path caFile) throws IOException {
    Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
    for (Map<String, Object> v : (List<Map<String, Object>>) pod.get("volumes")) {
      volumes.put((String) v.get("name"), v);
    }
    for (Map<String, Object> m : (List<Map<String, Object>>) container.get("volumeMounts")) {
      List<Map<String, Object>> sources = at(volumes.get((String) m.get("name")), "projected",
          "sources");
      if (sources == null) {
        continue;
      }
      Path target = Path.of(mounts.get((String) m.get("mountPath")));
      for (Map<String, Object> source : sources) {
        Map<String, Object> secret = (Map<String, Object>) source.get("secret");
        String name = (String) secret.get("name");
        for (Map<String, Object> item : (List<Map<String, Object>>) secret.get("items")) {
          Path from = switch ((String) item.get("key")) {
            case "password" -> passwords.get(name);
            case "ca.crt" -> name.equals(KafkaClientsTest.CLUSTER_CA) ? caFile : null;
            default -> null;
          };
          assertThat(from).as("the test knows Secret %s key %s", name, item.get("key"))
              .isNotNull();
          Files.copy(from, target.resolve((String) item.get("path")));
        }
      }
    }
  }

  /** Client settings for {@code user} on the secured broker. */
  private static Map<String, Object> client(SecureKafka kafka, String user, Path password) {
    Map<String, Object> c = new HashMap<>(KafkaSecurity.builder()
        .protocol(KafkaSecurity.Protocol.SASL_SSL).username(user)
        .passwordFile(password.toString()).caFile(kafka.caFile().toString()).build()
        .clientProperties());
    c.put("bootstrap.servers", kafka.bootstrapServers());
    c.put("max.block.ms", 20_000);
    return c;
  }

  /** A value with a container mount path prefix rewritten to where that mount comes from. */
  private static String substitutePaths(String value, Map<String, String> mounts) {
    for (Map.Entry<String, String> m : mounts.entrySet()) {
      Matcher at = Pattern.compile("(^|=)" + Pattern.quote(m.getKey()) + "(/|$)").matcher(value);
      if (at.find()) {
        return value.substring(0, at.end(1)) + m.getValue() + value.substring(at.start(2));
      }
    }
    return value;
  }

  /** Kubernetes' $(VAR) expansion in args and env values. */
  private static String expand(String value, Map<String, String> env) {
    Matcher m = VAR.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : v));
    }
    return m.appendTail(out).toString();
  }

  /**
   * The image's entrypoint: the Dockerfile must copy k8s/images/collector/memfleet to it; its
   * {@code /opt/memfleet/lib} is a directory here holding what the Dockerfile copies there.
   */
  private Path entrypoint(Path repo, Path launcherJar) throws IOException {
    String dockerfile = K8sTree.read(repo.resolve("k8s/images/collector/Dockerfile"));
    assertThat(dockerfile).contains("COPY launcher/target/lib/ /opt/memfleet/lib/")
        .contains("COPY k8s/images/collector/memfleet /usr/local/bin/memfleet")
        .contains("ENTRYPOINT [\"/usr/local/bin/memfleet\"]");
    // links to the jars, under target/ (the build's own output, not the test's temp dir)
    Path lib = K8sTree.root().resolve("target/ebpf-container-it/opt/memfleet/lib");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> old = Files.list(lib)) {
        for (Path link : old.toList()) {
          Files.delete(link);
        }
      }
    }
    Files.createDirectories(lib);
    try (Stream<Path> jars = Files.list(repo.resolve("launcher/target/lib"))) {
      for (Path jar : jars.toList()) {
        Files.createSymbolicLink(lib.resolve(jar.getFileName()), jar);
      }
    }
    Files.createSymbolicLink(lib.resolve(launcherJar.getFileName()), launcherJar);
    String script = K8sTree.read(repo.resolve("k8s/images/collector/memfleet"));
    assertThat(script).contains("/opt/memfleet/lib/*");
    Path entrypoint = dir.resolve("memfleet");
    Files.writeString(entrypoint, script.replace("/opt/memfleet/lib", lib.toString()));
    return entrypoint;
  }

  /** A C program of the repository, built as production C is built (frame pointers kept). */
  private Path compile(Path source) throws IOException, InterruptedException {
    String name = source.getFileName().toString().replaceFirst("\\.c$", "");
    Path binary = dir.resolve(name);
    Process gcc = new ProcessBuilder("gcc", "-O1", "-g", "-fno-omit-frame-pointer", "-o",
        binary.toString(), source.toString()).redirectErrorStream(true).start();
    String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0).as(out).isTrue();
    return binary;
  }

  /** Reads {@code topic} in a consumer group of the pipeline's prefix, as its user may. */
  private static List<SpecificRecord> read(Map<String, Object> client, String topic) {
    Map<String, Object> c = new HashMap<>(client);
    c.remove("max.block.ms");
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "memfleet-pipeline-k8s-it");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    EventCodec codec = EventCodec.fromClasspath();
    List<SpecificRecord> out = new ArrayList<>();
    try (var consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int emptyPolls = 0;
      while (System.nanoTime() < deadline && emptyPolls < 3) {
        var records = consumer.poll(Duration.ofSeconds(1));
        if (records.isEmpty() && !out.isEmpty()) {
          emptyPolls++;
        }
        records.forEach(r -> out.add(codec.decode(r.value())));
      }
    }
    return out;
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static String uid() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        return line.split("\\s+")[1];
      }
    }
    return "";
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }
}
