package io.memfleet.schema.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityTest {

  @Test
  void plaintextByDefault() {
    KafkaSecurity s = KafkaSecurity.fromEnvironment(Map.of());
    assertThat(s).isEqualTo(KafkaSecurity.plaintext());
    assertThat(s.clientProperties()).containsExactly(Map.entry("security.protocol", "PLAINTEXT"));
    assertThat(s.describe()).isEqualTo("PLAINTEXT");
  }

  @Test
  void saslSslFromEnvironmentNamesThePasswordFileNotThePassword() {
    KafkaSecurity s = KafkaSecurity.fromEnvironment(Map.of(
        "MEMFLEET_KAFKA_SECURITY_PROTOCOL", "sasl_ssl",
        "MEMFLEET_KAFKA_USERNAME", "collector",
        "MEMFLEET_KAFKA_PASSWORD_FILE", "/etc/memfleet/kafka-user/password",
        "MEMFLEET_KAFKA_CA_FILE", "/etc/memfleet/kafka-ca/ca.crt",
        "MEMFLEET_KAFKA_PASSWORD", "s3cret"));
    Map<String, String> p = s.clientProperties();
    assertThat(p).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("sasl.client.callback.handler.class",
            KafkaPasswordCallbackHandler.class.getName())
        .containsEntry("ssl.truststore.type", "PEM")
        .containsEntry("ssl.truststore.location", "/etc/memfleet/kafka-ca/ca.crt")
        .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram."
            + "ScramLoginModule required username=\"collector\" memfleetPasswordFile="
            + "\"/etc/memfleet/kafka-user/password\";");
    assertThat(p.toString()).doesNotContain("s3cret");
    assertThat(s.describe()).isEqualTo("SASL_SSL (SCRAM-SHA-512 as collector, password from file"
        + " /etc/memfleet/kafka-user/password, CA /etc/memfleet/kafka-ca/ca.crt)");
  }

  @Test
  void jaasConfigParsesAsKafkaReadsItEvenWithQuotesInValues() {
    KafkaSecurity s = KafkaSecurity.builder().protocol("SASL_PLAINTEXT").mechanism("plain")
        .username("a \"quoted\\ user").passwordEnv("MY_PW").build();
    String jaas = s.clientProperties().get("sasl.jaas.config");
    JaasContext context = JaasContext.loadClientContext(
        Map.of("sasl.jaas.config", new Password(jaas)));
    AppConfigurationEntry entry = context.configurationEntries().get(0);
    assertThat(entry.getLoginModuleName())
        .isEqualTo("org.apache.kafka.common.security.plain.PlainLoginModule");
    assertThat(Map.<String, Object>copyOf(entry.getOptions()))
        .containsEntry("username", "a \"quoted\\ user")
        .containsEntry("memfleetPasswordEnv", "MY_PW");
  }

  @Test
  void settingsThatWouldConnectInTheClearAreRefused() {
    assertThatThrownBy(() -> KafkaSecurity.fromEnvironment(Map.of(
        "MEMFLEET_KAFKA_USERNAME", "collector")))
        .hasMessageContaining("MEMFLEET_KAFKA_SECURITY_PROTOCOL=SASL_SSL");
    assertThatThrownBy(() -> KafkaSecurity.fromEnvironment(Map.of(
        "MEMFLEET_KAFKA_CA_FILE", "/ca.crt", "MEMFLEET_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
        "MEMFLEET_KAFKA_USERNAME", "u")))
        .hasMessageContaining("CA file");
    assertThatThrownBy(() -> KafkaSecurity.fromEnvironment(Map.of(
        "MEMFLEET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")))
        .hasMessageContaining("MEMFLEET_KAFKA_USERNAME");
    assertThatThrownBy(() -> KafkaSecurity.builder().protocol("TLS"))
        .hasMessageContaining("SASL_SSL");
    assertThatThrownBy(() -> KafkaSecurity.builder().mechanism("GSSAPI"))
        .hasMessageContaining("SCRAM-SHA-512");
    assertThatThrownBy(() -> KafkaSecurity.builder().passwordEnv("not a name"))
        .hasMessageContaining("not an environment variable name");
  }

  @Test
  void handlerReadsThePasswordFileAtEachLogin(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("password");
    Files.writeString(file, "first\n");
    KafkaPasswordCallbackHandler handler = handler(KafkaSecurity.builder().protocol("SASL_SSL")
        .username("pipeline").passwordFile(file.toString()).build(), Map.of());
    assertThat(login(handler)).containsExactly("pipeline", "first");
    Files.writeString(file, "rotated");
    assertThat(login(handler)).containsExactly("pipeline", "rotated");
    Files.delete(file);
    assertThatThrownBy(() -> login(handler)).isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void handlerReadsTheNamedVariableAndSaysWhichIsMissing() throws Exception {
    KafkaSecurity s = KafkaSecurity.builder().protocol("SASL_SSL").username("launcher").build();
    assertThat(login(handler(s, Map.of("MEMFLEET_KAFKA_PASSWORD", "pw"))))
        .containsExactly("launcher", "pw");
    assertThatThrownBy(() -> login(handler(s, Map.of()))).isInstanceOf(IOException.class)
        .hasMessageContaining("set MEMFLEET_KAFKA_PASSWORD");
  }

  private static KafkaPasswordCallbackHandler handler(KafkaSecurity s, Map<String, String> env) {
    KafkaPasswordCallbackHandler h = new KafkaPasswordCallbackHandler(env::get);
    JaasContext context = JaasContext.loadClientContext(
        Map.of("sasl.jaas.config", new Password(s.clientProperties().get("sasl.jaas.config"))));
    h.configure(Map.of(), s.mechanism(), context.configurationEntries());
    return h;
  }

  private static List<String> login(KafkaPasswordCallbackHandler h) throws Exception {
    NameCallback name = new NameCallback("name");
    PasswordCallback password = new PasswordCallback("password", false);
    h.handle(new Callback[] {name, password});
    return List.of(name.getName(), new String(password.getPassword()));
  }
}
