package io.memfleet.localstack.testing;

import io.memfleet.localstack.KafkaBroker;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority and one server certificate it signed, made with the JDK's
 * {@code keytool} in a test's directory: the CA as PEM (what clients trust), the server's key and
 * chain as a PKCS12 key store (Kafka) and as PEM certificate and key files (ClickHouse). The server
 * certificate is valid for {@code 127.0.0.1} and {@code localhost}, for server and client
 * authentication, so the same one serves a broker and its mutual-TLS internal listener.
 *
 * <pre>{@code
 * TestCertificates tls = TestCertificates.create(dir.resolve("tls"));
 * KafkaBroker.builder(dir).saslSsl(tls.kafkaTls()).build();
 * }</pre>
 *
 * <p>The key store password is random, passed to keytool through its environment (never its
 * command line), and kept in memory only.
 */
public final class TestCertificates {
  /** The server certificate's subject: the super user of a secured test broker. */
  public static final String SERVER_SUBJECT = "CN=memfleet-broker";

  private final Path dir;
  private final String storePassword;

  private TestCertificates(Path dir, String storePassword) {
    this.dir = dir;
    this.storePassword = storePassword;
  }

  /** Generates the CA and the server certificate under {@code dir} (about six keytool runs). */
  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    TestCertificates c = new TestCertificates(dir, HexFormat.of().formatHex(random));
    c.keytool("-genkeypair", "-alias", "ca", "-dname", "CN=memfleet-test-ca", "-keyalg", "RSA",
        "-keysize", "2048", "-validity", "3", "-ext", "bc:c", "-keystore", "ca.p12",
        "-storetype", "PKCS12");
    c.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.pem");
    c.keytool("-genkeypair", "-alias", "server", "-dname", SERVER_SUBJECT, "-keyalg", "RSA",
        "-keysize", "2048", "-validity", "3", "-keystore", "server.p12", "-storetype", "PKCS12");
    c.keytool("-certreq", "-alias", "server", "-keystore", "server.p12", "-file", "server.csr");
    c.keytool("-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", "server.csr",
        "-outfile", "server.pem", "-rfc", "-validity", "3",
        "-ext", "san=ip:127.0.0.1,dns:localhost",
        "-ext", "ku:c=digitalSignature,keyEncipherment",
        "-ext", "eku=serverAuth,clientAuth");
    c.keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", "server.p12",
        "-file", "ca.pem");
    c.keytool("-importcert", "-alias", "server", "-keystore", "server.p12", "-file", "server.pem");
    c.writeServerKeyPem();
    return c;
  }

  /** The CA certificate, PEM: what clients trust. */
  public Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** The server's certificate, PEM (signed by the CA). */
  public Path serverCertificate() {
    return dir.resolve("server.pem");
  }

  /** The server's private key, PKCS#8 PEM, readable by its owner only. */
  public Path serverKey() {
    return dir.resolve("server-key.pem");
  }

  /** The server's key and chain, PKCS12, protected by {@link #keyStorePassword()}. */
  public Path serverKeyStore() {
    return dir.resolve("server.p12");
  }

  public String keyStorePassword() {
    return storePassword;
  }

  /** What a secured {@link KafkaBroker} needs. */
  public KafkaBroker.Tls kafkaTls() {
    return new KafkaBroker.Tls(serverKeyStore(), storePassword, caFile(), SERVER_SUBJECT);
  }

  private void writeServerKeyPem() throws IOException {
    try (InputStream in = new FileInputStream(serverKeyStore().toFile())) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, storePassword.toCharArray());
      Key key = ks.getKey("server", storePassword.toCharArray());
      String pem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
      Files.deleteIfExists(serverKey());
      Files.createFile(serverKey(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      Files.writeString(serverKey(), pem, StandardCharsets.US_ASCII);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot read the server key back from " + serverKeyStore(), e);
    }
  }

  private void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storepass:env", "MEMFLEET_TEST_STOREPASS"));
    if (List.of(args).contains("-genkeypair")) {
      command.addAll(List.of("-keypass:env", "MEMFLEET_TEST_STOREPASS"));
    }
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true);
    pb.environment().put("MEMFLEET_TEST_STOREPASS", storePassword);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }
}
