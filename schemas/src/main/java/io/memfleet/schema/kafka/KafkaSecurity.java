package io.memfleet.schema.kafka;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * How a memfleet Kafka client proves who it is and protects the connection: the one place where
 * collectors, the JFR agent, {@code jfr-remote}, the pipeline's sources and sinks and the
 * launcher's consumers turn security settings into Kafka client properties, so every client reads
 * the same settings under the same names.
 *
 * <table>
 *   <caption>settings (environment; each component also has them as options, see its
 *   README)</caption>
 *   <tr><th>environment</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>MEMFLEET_KAFKA_SECURITY_PROTOCOL</td><td>PLAINTEXT</td>
 *       <td>PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL</td></tr>
 *   <tr><td>MEMFLEET_KAFKA_SASL_MECHANISM</td><td>SCRAM-SHA-512</td>
 *       <td>SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN</td></tr>
 *   <tr><td>MEMFLEET_KAFKA_USERNAME</td><td>none</td><td>SASL user</td></tr>
 *   <tr><td>MEMFLEET_KAFKA_PASSWORD_FILE</td><td>none</td>
 *       <td>file holding the password (a mounted Secret), read at every login</td></tr>
 *   <tr><td>MEMFLEET_KAFKA_PASSWORD_ENV</td><td>MEMFLEET_KAFKA_PASSWORD</td>
 *       <td>variable holding the password when there is no file</td></tr>
 *   <tr><td>MEMFLEET_KAFKA_CA_FILE</td><td>the JVM's trust store</td>
 *       <td>PEM file of the CA certificates the broker's certificate must chain to</td></tr>
 * </table>
 *
 * <p>The password is never a setting's value: the properties name the file or the variable it is
 * in, and {@link KafkaPasswordCallbackHandler} reads it when the client logs in, in the process
 * that runs the client. So it is on no command line and in no log line, and a Flink job graph
 * (built on the job manager, shipped to task managers, kept for recovery) does not carry it; a
 * rotated Secret file is picked up at the next login.
 *
 * <pre>{@code
 * KafkaSecurity security = KafkaSecurity.fromEnvironment(System.getenv());
 * Properties p = new Properties();
 * p.put("bootstrap.servers", "kafka:9093");
 * p.putAll(security.clientProperties());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class KafkaSecurity {
  public static final String ENV_PROTOCOL = "MEMFLEET_KAFKA_SECURITY_PROTOCOL";
  public static final String ENV_MECHANISM = "MEMFLEET_KAFKA_SASL_MECHANISM";
  public static final String ENV_USERNAME = "MEMFLEET_KAFKA_USERNAME";
  public static final String ENV_PASSWORD_FILE = "MEMFLEET_KAFKA_PASSWORD_FILE";
  public static final String ENV_PASSWORD_ENV = "MEMFLEET_KAFKA_PASSWORD_ENV";
  public static final String ENV_CA_FILE = "MEMFLEET_KAFKA_CA_FILE";
  /** Where the password is looked for when neither a file nor another variable is named. */
  public static final String DEFAULT_PASSWORD_ENV = "MEMFLEET_KAFKA_PASSWORD";
  public static final String DEFAULT_MECHANISM = "SCRAM-SHA-512";

  /** Kafka's {@code security.protocol} values. */
  public enum Protocol {
    PLAINTEXT(false, false), SSL(false, true), SASL_PLAINTEXT(true, false), SASL_SSL(true, true);

    private final boolean sasl;
    private final boolean tls;

    Protocol(boolean sasl, boolean tls) {
      this.sasl = sasl;
      this.tls = tls;
    }

    public boolean sasl() {
      return sasl;
    }

    public boolean tls() {
      return tls;
    }

    /** Parses a protocol name, case-insensitively and with {@code -} for {@code _}. */
    public static Protocol parse(String name) {
      try {
        return valueOf(name.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown Kafka security protocol '" + name
            + "'; one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
      }
    }
  }

  private static final Map<String, String> LOGIN_MODULES = Map.of(
      "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule",
      "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
      "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule");

  private static final KafkaSecurity PLAINTEXT = builder().build();

  private final Protocol protocol;
  private final String mechanism;
  private final String username;
  private final String passwordFile;
  private final String passwordEnv;
  private final String caFile;

  private KafkaSecurity(Builder b) {
    this.protocol = b.protocol;
    this.mechanism = b.mechanism;
    this.username = b.username;
    this.passwordFile = b.passwordFile;
    this.passwordEnv = b.passwordEnv;
    this.caFile = b.caFile;
  }

  /** No authentication, no encryption: the local stack's default. */
  public static KafkaSecurity plaintext() {
    return PLAINTEXT;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The settings of the {@code MEMFLEET_KAFKA_*} variables of {@code env}.
   *
   * @throws IllegalArgumentException naming the variable when the settings do not fit together
   */
  public static KafkaSecurity fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env::get);
  }

  /** As {@link #fromEnvironment(Map)}, from a lookup function. */
  public static KafkaSecurity fromEnvironment(Function<String, String> env) {
    return builder().fromEnvironment(env).build();
  }

  public Protocol protocol() {
    return protocol;
  }

  public String mechanism() {
    return mechanism;
  }

  /** The SASL user, null without SASL. */
  public String username() {
    return username;
  }

  /** The file the password is read from, or null (then {@link #passwordEnv()}). */
  public String passwordFile() {
    return passwordFile;
  }

  /** The environment variable the password is read from when there is no file. */
  public String passwordEnv() {
    return passwordEnv;
  }

  /** The PEM file of trusted CA certificates, or null (the JVM's trust store). */
  public String caFile() {
    return caFile;
  }

  /**
   * The Kafka client properties for these settings: {@code security.protocol} and, as needed,
   * {@code sasl.mechanism}, {@code sasl.jaas.config} (the user, and where the password is — not
   * the password), {@code sasl.client.callback.handler.class} and the PEM trust store. Works for
   * producers, consumers and admin clients alike.
   */
  public Map<String, String> clientProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("security.protocol", protocol.name());
    if (protocol.sasl()) {
      p.put("sasl.mechanism", mechanism);
      StringBuilder jaas = new StringBuilder(LOGIN_MODULES.get(mechanism))
          .append(" required username=").append(jaasQuote(username));
      if (passwordFile != null) {
        jaas.append(' ').append(KafkaPasswordCallbackHandler.PASSWORD_FILE_OPTION).append('=')
            .append(jaasQuote(passwordFile));
      } else {
        jaas.append(' ').append(KafkaPasswordCallbackHandler.PASSWORD_ENV_OPTION).append('=')
            .append(jaasQuote(passwordEnv));
      }
      p.put("sasl.jaas.config", jaas.append(';').toString());
      p.put("sasl.client.callback.handler.class", KafkaPasswordCallbackHandler.class.getName());
    }
    if (protocol.tls() && caFile != null) {
      p.put("ssl.truststore.type", "PEM");
      p.put("ssl.truststore.location", caFile);
    }
    return p;
  }

  /**
   * Reads the password now, to fail at start-up with a clear message rather than at the first
   * login; a no-op without SASL.
   *
   * @throws IllegalStateException naming the file or variable (never the password) when there is
   *     none to read
   */
  public void checkPasswordReadable() {
    if (protocol.sasl()) {
      KafkaPasswordCallbackHandler.readPassword(passwordFile, passwordEnv, System::getenv);
    }
  }

  /** For messages: {@code SASL_SSL (SCRAM-SHA-512 as collector, CA /etc/kafka-ca/ca.crt)}. */
  public String describe() {
    if (protocol == Protocol.PLAINTEXT) {
      return "PLAINTEXT";
    }
    StringBuilder s = new StringBuilder(protocol.name()).append(" (");
    if (protocol.sasl()) {
      s.append(mechanism).append(" as ").append(username).append(", password from ")
          .append(passwordFile != null ? "file " + passwordFile : "$" + passwordEnv);
    }
    if (protocol.tls()) {
      s.append(protocol.sasl() ? ", " : "").append(caFile != null ? "CA " + caFile
          : "the JVM's trusted CAs");
    }
    return s.append(')').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaSecurity k && protocol == k.protocol
        && mechanism.equals(k.mechanism) && Objects.equals(username, k.username)
        && Objects.equals(passwordFile, k.passwordFile) && passwordEnv.equals(k.passwordEnv)
        && Objects.equals(caFile, k.caFile);
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocol, mechanism, username, passwordFile, passwordEnv, caFile);
  }

  @Override
  public String toString() {
    return describe();
  }

  /** A JAAS option value in double quotes; backslash and quote escaped. */
  static String jaasQuote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** Validating builder; every setting has the default of the table above. */
  public static final class Builder {
    private Protocol protocol = Protocol.PLAINTEXT;
    private String mechanism = DEFAULT_MECHANISM;
    private String username;
    private String passwordFile;
    private String passwordEnv = DEFAULT_PASSWORD_ENV;
    private String caFile;

    private Builder() {}

    /** Takes every {@code MEMFLEET_KAFKA_*} setting {@code env} has (blank ones are unset). */
    public Builder fromEnvironment(Function<String, String> env) {
      String v = blankToNull(env.apply(ENV_PROTOCOL));
      if (v != null) {
        protocol(v);
      }
      v = blankToNull(env.apply(ENV_MECHANISM));
      if (v != null) {
        mechanism(v);
      }
      username(env.apply(ENV_USERNAME));
      passwordFile(env.apply(ENV_PASSWORD_FILE));
      v = blankToNull(env.apply(ENV_PASSWORD_ENV));
      if (v != null) {
        passwordEnv(v);
      }
      caFile(env.apply(ENV_CA_FILE));
      return this;
    }

    public Builder protocol(Protocol protocol) {
      this.protocol = Objects.requireNonNull(protocol);
      return this;
    }

    /** As {@link #protocol(Protocol)}, by name. */
    public Builder protocol(String name) {
      return protocol(Protocol.parse(name));
    }

    public Builder mechanism(String mechanism) {
      String m = mechanism.strip().toUpperCase(Locale.ROOT);
      if (!LOGIN_MODULES.containsKey(m)) {
        throw new IllegalArgumentException("unsupported SASL mechanism '" + mechanism + "'; one of "
            + Set.copyOf(LOGIN_MODULES.keySet()));
      }
      this.mechanism = m;
      return this;
    }

    /** The SASL user; null or blank for none. */
    public Builder username(String username) {
      this.username = blankToNull(username);
      return this;
    }

    /** The file holding the password; null or blank for none. */
    public Builder passwordFile(String passwordFile) {
      this.passwordFile = blankToNull(passwordFile);
      return this;
    }

    /** The environment variable holding the password when there is no file. */
    public Builder passwordEnv(String passwordEnv) {
      String v = blankToNull(passwordEnv);
      if (v == null || !v.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("not an environment variable name: '" + passwordEnv
            + "'");
      }
      this.passwordEnv = v;
      return this;
    }

    /** The PEM file of trusted CA certificates; null or blank for the JVM's trust store. */
    public Builder caFile(String caFile) {
      this.caFile = blankToNull(caFile);
      return this;
    }

    /**
     * Checks that the settings fit together: SASL needs a user; a user, password file or CA file
     * without the protocol that uses it is a mistake that would otherwise connect in the clear.
     */
    public KafkaSecurity build() {
      if (protocol.sasl() && username == null) {
        throw new IllegalArgumentException(protocol + " needs a user name (" + ENV_USERNAME
            + " or the component's --kafka-username option)");
      }
      if (!protocol.sasl() && (username != null || passwordFile != null)) {
        throw new IllegalArgumentException("a Kafka user name or password file is set but the"
            + " security protocol is " + protocol + "; set " + ENV_PROTOCOL
            + "=SASL_SSL (or SASL_PLAINTEXT)");
      }
      if (!protocol.tls() && caFile != null) {
        throw new IllegalArgumentException("a Kafka CA file is set but the security protocol is "
            + protocol + "; set " + ENV_PROTOCOL + "=SASL_SSL (or SSL)");
      }
      return new KafkaSecurity(this);
    }

    private static String blankToNull(String v) {
      return v == null || v.isBlank() ? null : v.strip();
    }
  }
}
