package io.memfleet.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A real ClickHouse server run as a child process with all its files under a work directory and on
 * loopback-only, non-default ports — the Debian {@code clickhouse-server} package (18.16) here, or a
 * current {@code clickhouse} binary where one is installed.
 *
 * <pre>{@code
 * try (ClickHouseServer ch = ClickHouseServer.builder(tempDir).build()) {   // free ports
 *   ch.start();
 *   String url = ch.httpUrl();     // http://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class ClickHouseServer extends LocalServer {
  private final int httpPort;
  private final int tcpPort;
  private final List<String> binary;
  private final Tls tls;
  private final int httpsPort;
  private final String user;
  private final String passwordSha256;

  /**
   * The HTTPS interface's certificate (PEM, its chain) and private key (PEM, PKCS#8), as
   * ClickHouse's {@code openSSL.server} section takes them.
   */
  public record Tls(Path certificate, Path privateKey) {
    public Tls {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(privateKey, "privateKey");
    }
  }

  private ClickHouseServer(Builder b, List<String> binary) {
    super(b.workDir, b.detached, b.startTimeout, "clickhouse.pid", "logs/clickhouse-stdout.log");
    this.httpPort = b.httpPort;
    this.tcpPort = b.tcpPort;
    this.binary = binary;
    this.tls = b.tls;
    this.httpsPort = b.httpsPort;
    this.user = b.user;
    this.passwordSha256 = b.passwordSha256;
  }

  public static Builder builder(Path workDir) {
    return new Builder(workDir);
  }

  public String httpUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  public int httpPort() {
    return httpPort;
  }

  /** The HTTPS interface ({@link Builder#tls}): {@code https://127.0.0.1:PORT}. */
  public String httpsUrl() {
    if (tls == null) {
      throw new IllegalStateException("this ClickHouse server has no HTTPS interface");
    }
    return "https://127.0.0.1:" + httpsPort;
  }

  public int tcpPort() {
    return tcpPort;
  }

  /**
   * Finds the server binary: {@code clickhouse-server} (Debian package) or {@code clickhouse server}
   * (single-binary releases). Empty when neither is installed.
   */
  public static Optional<List<String>> findBinary() {
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/bin")) {
      if (Files.isExecutable(Path.of(dir, "clickhouse-server"))) {
        return Optional.of(List.of(dir + "/clickhouse-server"));
      }
    }
    for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
      if (Files.isExecutable(Path.of(dir, "clickhouse"))) {
        return Optional.of(List.of(dir + "/clickhouse", "server"));
      }
    }
    return Optional.empty();
  }

  @Override
  List<Integer> ports() {
    return tls == null ? List.of(httpPort, tcpPort) : List.of(httpPort, tcpPort, httpsPort);
  }

  @Override
  String portAdvice() {
    return "choose other ClickHouse ports (--clickhouse-http-port/--clickhouse-tcp-port)";
  }

  @Override
  List<String> prepare() throws IOException {
    for (String dir : List.of("data", "tmp", "user_files", "format_schemas", "logs")) {
      Files.createDirectories(workDir.resolve(dir));
    }
    List<String> command = new ArrayList<>(binary);
    command.add("--config-file=" + writeConfig());
    return command;
  }

  private Path writeConfig() throws IOException {
    Path users = workDir.resolve("users.xml");
    Files.writeString(users, """
        <?xml version="1.0"?>
        <yandex>
          <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
          <users>
            <default>
              <password></password>
              <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
              <profile>default</profile>
              <quota>default</quota>
            </default>%s
          </users>
          <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
            <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
          </interval></default></quotas>
        </yandex>
        """.formatted(passwordUser()), StandardCharsets.UTF_8);
    Path config = workDir.resolve("config.xml");
    Files.writeString(config, """
        <?xml version="1.0"?>
        <!-- written by memfleet localstack; regenerated at every start -->
        <yandex>
          <logger>
            <level>information</level>
            <log>%1$s/logs/clickhouse-server.log</log>
            <errorlog>%1$s/logs/clickhouse-server.err.log</errorlog>
            <size>50M</size>
            <count>2</count>
          </logger>
          <http_port>%2$d</http_port>
          <tcp_port>%3$d</tcp_port>
          <listen_host>127.0.0.1</listen_host>
          <path>%1$s/data/</path>
          <tmp_path>%1$s/tmp/</tmp_path>
          <user_files_path>%1$s/user_files/</user_files_path>
          <format_schema_path>%1$s/format_schemas/</format_schema_path>
          <users_config>%1$s/users.xml</users_config>
          <default_profile>default</default_profile>
          <default_database>default</default_database>
          <mark_cache_size>268435456</mark_cache_size>
          <uncompressed_cache_size>268435456</uncompressed_cache_size>
          <max_concurrent_queries>100</max_concurrent_queries>
          <timezone>UTC</timezone>
          <mlock_executable>false</mlock_executable>%4$s
        </yandex>
        """.formatted(workDir, httpPort, tcpPort, httpsConfig()), StandardCharsets.UTF_8);
    return config;
  }

  /** The extra user of {@link Builder#user}: its password only as SHA-256, loopback only. */
  private String passwordUser() {
    if (user == null) {
      return "";
    }
    return """

            <%1$s>
              <password_sha256_hex>%2$s</password_sha256_hex>
              <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
              <profile>default</profile>
              <quota>default</quota>
            </%1$s>""".formatted(user, passwordSha256);
  }

  private String httpsConfig() {
    if (tls == null) {
      return "";
    }
    return """

          <https_port>%1$d</https_port>
          <openSSL>
            <server>
              <certificateFile>%2$s</certificateFile>
              <privateKeyFile>%3$s</privateKeyFile>
              <verificationMode>none</verificationMode>
              <loadDefaultCAFile>false</loadDefaultCAFile>
              <cacheSessions>true</cacheSessions>
              <disableProtocols>sslv2,sslv3,tlsv1,tlsv1_1</disableProtocols>
              <preferServerCiphers>true</preferServerCiphers>
            </server>
          </openSSL>""".formatted(httpsPort, tls.certificate().toAbsolutePath(),
        tls.privateKey().toAbsolutePath());
  }

  @Override
  void probe() throws IOException, InterruptedException {
    version();
  }

  @Override
  String describe() {
    return "ClickHouse server on " + httpUrl();
  }

  @Override
  String startupLog(ChildProcess failed) {
    return failed.logTail(20) + "\n"
        + ChildProcess.tail(workDir.resolve("logs/clickhouse-server.err.log"), 20);
  }

  /** The server's version string, asked over HTTP. */
  public String version() throws IOException, InterruptedException {
    return query("SELECT version()").trim();
  }

  /**
   * Runs one statement over the plain HTTP interface and returns the body (TabSeparated).
   *
   * <p>The request asks for {@code Connection: close}: ClickHouse's shutdown waits for every open
   * HTTP connection, an idle keep-alive one included, for up to its keep-alive timeout (10 s on
   * 18.16), so a pooled connection left behind by this one-shot request would make every
   * {@link #stop()} after it take 10 s longer.
   */
  public String query(String sql) throws IOException, InterruptedException {
    URL url = URI.create(httpUrl() + "/?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8))
        .toURL();
    HttpURLConnection http = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
    try {
      http.setConnectTimeout(2_000);
      http.setReadTimeout(30_000);
      http.setUseCaches(false);
      http.setRequestMethod("POST");
      http.setRequestProperty("Connection", "close");
      http.setDoOutput(true);
      http.setFixedLengthStreamingMode(0);
      http.getOutputStream().close();
      int status = http.getResponseCode();
      try (InputStream in = status == 200 ? http.getInputStream() : http.getErrorStream()) {
        String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (status != 200) {
          throw new IOException("ClickHouse answered " + status + ": " + body);
        }
        return body;
      }
    } finally {
      http.disconnect();
    }
  }

  /** Validating builder; ports default to free ones. */
  public static final class Builder {
    private final Path workDir;
    private int httpPort;
    private int tcpPort;
    private boolean detached;
    private List<String> binary;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Tls tls;
    private int httpsPort;
    private String user;
    private String passwordSha256;

    private Builder(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir");
    }

    /** Also serves HTTPS on a free port ({@link #httpsUrl()}), with this certificate and key. */
    public Builder tls(Tls tls) {
      this.tls = Objects.requireNonNull(tls);
      return this;
    }

    /**
     * Adds a user with a password (kept in the server's configuration only as its SHA-256); the
     * password-less {@code default} user stays for the local stack's own tools.
     */
    public Builder user(String name, String password) {
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*") || "default".equals(name)) {
        throw new IllegalArgumentException("not a user name for the extra user: " + name);
      }
      this.user = name;
      try {
        this.passwordSha256 = java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(password.getBytes(StandardCharsets.UTF_8)));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      return this;
    }

    public Builder httpPort(int httpPort) {
      this.httpPort = httpPort;
      return this;
    }

    public Builder tcpPort(int tcpPort) {
      this.tcpPort = tcpPort;
      return this;
    }

    public Builder detached(boolean detached) {
      this.detached = detached;
      return this;
    }

    /** The server command, e.g. {@code ["/usr/sbin/clickhouse-server"]}; found on the system if unset. */
    public Builder binary(List<String> binary) {
      this.binary = List.copyOf(binary);
      return this;
    }

    public Builder startTimeout(Duration startTimeout) {
      this.startTimeout = Objects.requireNonNull(startTimeout);
      return this;
    }

    public ClickHouseServer build() {
      List<String> command = binary != null ? binary : findBinary().orElseThrow(() ->
          new LocalStackException("no ClickHouse server binary found (looked for clickhouse-server"
              + " and clickhouse); install the Debian package: apt-get install clickhouse-server"));
      if (httpPort == 0) {
        httpPort = FreePorts.find();
      }
      if (tcpPort == 0) {
        do {
          tcpPort = FreePorts.find();
        } while (tcpPort == httpPort);
      }
      if (httpPort == tcpPort) {
        throw new IllegalArgumentException("ClickHouse HTTP and TCP ports must differ: " + httpPort);
      }
      if (tls != null) {
        do {
          httpsPort = FreePorts.find();
        } while (httpsPort == httpPort || httpsPort == tcpPort);
      }
      return new ClickHouseServer(this, command);
    }
  }
}
