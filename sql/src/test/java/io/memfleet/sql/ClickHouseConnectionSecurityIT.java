package io.memfleet.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.data.ClickHouseFormat;
import io.memfleet.localstack.ClickHouseServer;
import io.memfleet.localstack.testing.Capabilities;
import io.memfleet.localstack.testing.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real ClickHouse server over HTTPS with a certificate from a private CA, and a user with a
 * password: memfleet connects with the password read from a file (a mounted Secret) and trusts
 * only the CA it is given.
 */
class ClickHouseConnectionSecurityIT {
  @TempDir static Path dir;

  private static ClickHouseServer server;
  private static TestCertificates tls;
  private static Path passwordFile;

  @BeforeAll
  static void start() throws Exception {
    Capabilities.require(ClickHouseServer.findBinary().isPresent(),
        "a ClickHouse server binary (apt-get install clickhouse-server)");
    tls = TestCertificates.create(dir.resolve("tls"));
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    passwordFile = dir.resolve("clickhouse-password");
    Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
    server = ClickHouseServer.builder(dir.resolve("clickhouse"))
        .tls(new ClickHouseServer.Tls(tls.serverCertificate(), tls.serverKey()))
        .user("memfleet_pipeline", password).build();
    server.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void passwordFromAFileOverHttpsTrustingThePrivateCa() throws Exception {
    try (ClickHouseConnection ch = ClickHouseConnection.builder(server.httpsUrl())
        .user("memfleet_pipeline").passwordFrom(passwordFile.toString(), "UNSET_VARIABLE")
        .caFile(tls.caFile().toString()).build()) {
      // 18.16 has no currentUser(); this query is the only one running on the test's server
      assertThat(ch.queryText("SELECT DISTINCT user FROM system.processes",
          ClickHouseFormat.TabSeparated).trim()).isEqualTo("memfleet_pipeline");
    }
  }

  @Test
  void aWrongPasswordIsRefused() throws Exception {
    Path wrong = dir.resolve("wrong-password");
    Files.writeString(wrong, "not-the-password");
    try (ClickHouseConnection ch = ClickHouseConnection.builder(server.httpsUrl())
        .user("memfleet_pipeline").passwordFrom(wrong.toString(), null)
        .caFile(tls.caFile().toString()).build()) {
      assertThatThrownBy(() -> ch.queryText("SELECT 1", ClickHouseFormat.TabSeparated))
          .isInstanceOf(ClickHouseException.class).hasMessageContaining("password");
    }
  }

  @Test
  void aServerCertificateFromAnotherCaIsRefused() throws Exception {
    // the JVM's trusted CAs do not include the private one
    try (ClickHouseConnection ch = ClickHouseConnection.builder(server.httpsUrl())
        .user("memfleet_pipeline").passwordFrom(passwordFile.toString(), null).build()) {
      assertThatThrownBy(() -> ch.queryText("SELECT 1", ClickHouseFormat.TabSeparated))
          .isInstanceOf(ClickHouseException.class)
          .hasStackTraceContaining("SSLHandshakeException");
    }
  }

  @Test
  void settingsThatWouldNotBeUsedAreRefused() {
    assertThatThrownBy(() -> ClickHouseConnection.builder(server.httpUrl())
        .caFile(tls.caFile().toString()).build()).hasMessageContaining("not https://");
    assertThatThrownBy(() -> ClickHouseConnection.builder(server.httpsUrl())
        .passwordFrom(dir.resolve("missing").toString(), null).build())
        .hasMessageContaining("cannot read the ClickHouse password file");
  }
}
