package io.memfleet.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker + controller), run from the
 * {@code org.apache.kafka:kafka_2.13} artifact as a child JVM with its data under a work directory.
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.builder(tempDir).build()) {   // free ports
 *   kafka.start();
 *   kafka.createTopics(List.of(new NewTopic("t", 3, (short) 1)));
 *   producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 *
 * <p>A detached broker ({@code memfleet up}) outlives this JVM and is found again through its pid
 * file by {@link #running()}; an attached one (tests) is stopped by {@link #close()}.
 *
 * <p>With {@link Builder#saslSsl} the broker is secured as production brokers are: clients reach
 * it only over SASL_SSL (SCRAM-SHA-512), and {@code StandardAuthorizer} allows nothing without an
 * ACL. The broker's own connections (controller, inter-broker) and {@link #admin} use a second
 * listener with mutual TLS, whose certificate's subject is the only super user; through it a test
 * creates SCRAM users and ACLs.
 */
public final class KafkaBroker extends LocalServer {
  private static final String CLASSPATH_RESOURCE = "/memfleet/kafka-broker.classpath";

  private final int port;
  private final int controllerPort;
  private final String heap;
  private final List<String> jvmOptions;
  private final Tls tls;
  private final int internalPort;

  /**
   * TLS material of a secured broker: its PKCS12 key store (key and certificate chain, the
   * certificate valid for 127.0.0.1, its subject the super user) and the PEM file of the CA that
   * signed it, which clients trust and which signs the broker's client certificate.
   */
  public record Tls(Path keyStore, String keyStorePassword, Path caFile, String superUser) {
    public Tls {
      Objects.requireNonNull(keyStore, "keyStore");
      Objects.requireNonNull(keyStorePassword, "keyStorePassword");
      Objects.requireNonNull(caFile, "caFile");
      Objects.requireNonNull(superUser, "superUser");
    }
  }

  private KafkaBroker(Builder b) {
    super(b.workDir, b.detached, b.startTimeout, "kafka.pid", "logs/kafka.log");
    this.port = b.port;
    this.controllerPort = b.controllerPort;
    this.heap = b.heap;
    this.jvmOptions = List.copyOf(b.jvmOptions);
    this.tls = b.tls;
    this.internalPort = b.internalPort;
  }

  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Whether clients must use SASL_SSL ({@link Builder#saslSsl}). */
  public boolean secured() {
    return tls != null;
  }

  @Override
  List<Integer> ports() {
    return tls == null ? List.of(port, controllerPort)
        : List.of(port, controllerPort, internalPort);
  }

  @Override
  String portAdvice() {
    return "choose other Kafka ports (--kafka-port/--kafka-controller-port or MEMFLEET_KAFKA_PORT"
        + "/MEMFLEET_KAFKA_CONTROLLER_PORT)";
  }

  /** Formats the storage on first use; the command runs the combined broker and controller. */
  @Override
  List<String> prepare() throws IOException, InterruptedException {
    Files.createDirectories(workDir.resolve("logs"));
    Path config = writeConfig();
    if (!Files.exists(workDir.resolve("data/meta.properties"))) {
      format(config);
    }
    List<String> command = javaCommand("kafka.Kafka");
    command.add(config.toString());
    return command;
  }

  private void format(Path config) throws IOException, InterruptedException {
    List<String> command = javaCommand("kafka.tools.StorageTool");
    command.addAll(List.of("format", "--ignore-formatted", "--cluster-id", randomClusterId(),
        "--config", config.toString()));
    Path log = workDir.resolve("logs/kafka-format.log");
    Process format = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
      format.destroyForcibly();
      throw new LocalStackException("formatting Kafka storage in " + workDir + " failed:\n"
          + ChildProcess.tail(log, 20));
    }
  }

  static String randomClusterId() {
    // Kafka cluster ids are 16 random bytes in URL-safe base64 without padding; one starting
    // with '-' would be read as an option by the storage tool, so draw again
    while (true) {
      UUID uuid = UUID.randomUUID();
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
      bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
      String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
      if (!id.startsWith("-")) {
        return id;
      }
    }
  }

  private List<String> javaCommand(String mainClass) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms128m");
    command.add("-Xmx" + heap);
    command.add("-XX:+UseG1GC");
    command.addAll(jvmOptions);
    command.add("-Djava.awt.headless=true");
    command.add("-Dlog4j2.configurationFile=" + writeLog4jConfig());
    command.add("-cp");
    command.add(brokerClasspath());
    command.add(mainClass);
    return command;
  }

  static String brokerClasspath() throws IOException {
    try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new LocalStackException("missing " + CLASSPATH_RESOURCE
            + ": the localstack module was not built by Maven");
      }
      String cp = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      for (String entry : cp.split(java.io.File.pathSeparator)) {
        if (!Files.exists(Path.of(entry))) {
          throw new LocalStackException("Kafka class path entry " + entry
              + " is missing; rebuild with `mvn -pl localstack -am install`");
        }
      }
      return cp;
    }
  }

  private Path writeConfig() throws IOException {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty("controller.listener.names", "CONTROLLER");
    if (tls == null) {
      p.setProperty("listeners",
          "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
      p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
      p.setProperty("inter.broker.listener.name", "PLAINTEXT");
      p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    } else {
      securedListeners(p);
    }
    p.setProperty("log.dirs", workDir.resolve("data").toString());
    p.setProperty("num.partitions", "3");
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "3");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "3");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("log.retention.hours", "24");
    p.setProperty("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
    Path file = workDir.resolve("server.properties");
    // it holds the key store password of a secured broker: readable by its owner only
    Files.deleteIfExists(file);
    Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, "written by memfleet localstack; regenerated at every start");
    }
    return file;
  }

  /**
   * Clients: SASL_SSL with SCRAM-SHA-512 only. The broker itself (controller and inter-broker
   * connections) and the admin client of this class: mutual TLS on two more listeners, the
   * certificate's subject being the one super user. Without an ACL nothing is allowed.
   */
  private void securedListeners(Properties p) {
    p.setProperty("listeners", "SASL_SSL://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:"
        + internalPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners",
        "SASL_SSL://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:" + internalPort);
    p.setProperty("inter.broker.listener.name", "INTERNAL");
    p.setProperty("listener.security.protocol.map",
        "SASL_SSL:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL");
    p.setProperty("listener.name.internal.ssl.client.auth", "required");
    p.setProperty("listener.name.controller.ssl.client.auth", "required");
    p.setProperty("ssl.keystore.type", "PKCS12");
    p.setProperty("ssl.keystore.location", tls.keyStore().toAbsolutePath().toString());
    p.setProperty("ssl.keystore.password", tls.keyStorePassword());
    p.setProperty("ssl.key.password", tls.keyStorePassword());
    p.setProperty("ssl.truststore.type", "PEM");
    p.setProperty("ssl.truststore.location", tls.caFile().toAbsolutePath().toString());
    p.setProperty("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    p.setProperty("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    p.setProperty("authorizer.class.name",
        "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    p.setProperty("allow.everyone.if.no.acl.found", "false");
    p.setProperty("super.users", "User:" + tls.superUser());
  }

  private Path writeLog4jConfig() throws IOException {
    Path file = workDir.resolve("log4j2.properties");
    Files.writeString(file, String.join("\n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.out.ref = out",
        "appender.out.type = Console",
        "appender.out.name = out",
        "appender.out.layout.type = PatternLayout",
        "appender.out.layout.pattern = [%d] %p %m (%c)%n",
        "logger.kafka.name = kafka", "logger.kafka.level = WARN",
        "logger.apache.name = org.apache.kafka", "logger.apache.level = WARN",
        "logger.started.name = kafka.server.KafkaRaftServer", "logger.started.level = INFO",
        ""), StandardCharsets.UTF_8);
    return file;
  }

  @Override
  void probe() throws Exception {
    try (Admin admin = admin(Duration.ofSeconds(3))) {
      admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
    }
  }

  @Override
  String describe() {
    return "Kafka broker on " + bootstrapServers();
  }

  /**
   * An admin client for this broker; the caller closes it. On a secured broker it connects as the
   * super user (mutual TLS on the internal listener): it may create users, ACLs and topics.
   */
  public Admin admin(Duration timeout) {
    int ms = (int) timeout.toMillis();
    Map<String, Object> config = new java.util.HashMap<>(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms));
    if (tls != null) {
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + internalPort);
      config.put("security.protocol", "SSL");
      config.put("ssl.keystore.type", "PKCS12");
      config.put("ssl.keystore.location", tls.keyStore().toAbsolutePath().toString());
      config.put("ssl.keystore.password", tls.keyStorePassword());
      config.put("ssl.key.password", tls.keyStorePassword());
      config.put("ssl.truststore.type", "PEM");
      config.put("ssl.truststore.location", tls.caFile().toAbsolutePath().toString());
    }
    return Admin.create(config);
  }

  /** Creates the topics that do not exist yet; returns the names it created. */
  public Set<String> createTopics(Collection<NewTopic> topics)
      throws InterruptedException, ExecutionException {
    try (Admin admin = admin(Duration.ofSeconds(30))) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = topics.stream()
          .filter(t -> !existing.contains(t.name())).collect(Collectors.toList());
      if (missing.isEmpty()) {
        return Set.of();
      }
      try {
        admin.createTopics(missing).all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      return missing.stream().map(NewTopic::name).collect(Collectors.toSet());
    }
  }

  /** Validating builder; ports default to free ones. */
  public static final class Builder {
    private final Path workDir;
    private int port = 0;
    private int controllerPort = 0;
    private boolean detached;
    private String heap = "512m";
    private List<String> jvmOptions = List.of();
    private Duration startTimeout = Duration.ofSeconds(90);
    private Tls tls;
    private int internalPort;

    private Builder(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir");
    }

    /**
     * Secures the broker: clients only over SASL_SSL with SCRAM-SHA-512, ACLs enforced; the
     * internal mutual-TLS listener takes a free port.
     */
    public Builder saslSsl(Tls tls) {
      this.tls = Objects.requireNonNull(tls);
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder controllerPort(int controllerPort) {
      this.controllerPort = controllerPort;
      return this;
    }

    /** Survive this JVM (for {@code memfleet up}); default false. */
    public Builder detached(boolean detached) {
      this.detached = detached;
      return this;
    }

    /** Maximum heap of the broker JVM, e.g. "512m". */
    public Builder heap(String heap) {
      this.heap = Objects.requireNonNull(heap);
      return this;
    }

    /**
     * More options for the broker's JVMs (the storage formatting and the broker), after memfleet's
     * own: e.g. {@code -XX:TieredStopAtLevel=1} for a test broker, which then starts about a third
     * faster on a busy machine and runs its small load slower, which no test notices.
     */
    public Builder jvmOptions(List<String> jvmOptions) {
      for (String option : jvmOptions) {
        if (!option.startsWith("-")) {
          throw new IllegalArgumentException("not a JVM option: " + option);
        }
      }
      this.jvmOptions = List.copyOf(jvmOptions);
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = Objects.requireNonNull(startTimeout);
      return this;
    }

    public KafkaBroker build() {
      if (port < 0 || port > 65535 || controllerPort < 0 || controllerPort > 65535) {
        throw new IllegalArgumentException("ports must be within 0..65535 (0 = any free port)");
      }
      if (port == 0) {
        port = FreePorts.find();
      }
      if (controllerPort == 0) {
        do {
          controllerPort = FreePorts.find();
        } while (controllerPort == port);
      }
      if (port == controllerPort) {
        throw new IllegalArgumentException("Kafka port and controller port must differ: " + port);
      }
      if (tls != null) {
        do {
          internalPort = FreePorts.find();
        } while (internalPort == port || internalPort == controllerPort);
      }
      return new KafkaBroker(this);
    }
  }
}
