package io.memfleet.schema.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;

/**
 * The SASL client callback handler of every memfleet Kafka client ({@link KafkaSecurity} sets it
 * as {@code sasl.client.callback.handler.class}): answers the user name from the JAAS options and
 * the password from the file or environment variable they name, read at each login in the process
 * that logs in. The password is never a configuration value, so Kafka's config dump, a command
 * line or a Flink job graph cannot show it.
 *
 * <p>JAAS options it reads: {@code username}, and {@value #PASSWORD_FILE_OPTION} or
 * {@value #PASSWORD_ENV_OPTION}. A file's trailing line break is not part of the password (an
 * {@code echo}ed file has one, a Kubernetes Secret has none).
 */
public final class KafkaPasswordCallbackHandler implements AuthenticateCallbackHandler {
  static final String PASSWORD_FILE_OPTION = "memfleetPasswordFile";
  static final String PASSWORD_ENV_OPTION = "memfleetPasswordEnv";

  private final Function<String, String> env;
  private String username;
  private String passwordFile;
  private String passwordEnv;

  /** Kafka instantiates the handler by class name. */
  public KafkaPasswordCallbackHandler() {
    this(System::getenv);
  }

  KafkaPasswordCallbackHandler(Function<String, String> env) {
    this.env = env;
  }

  @Override
  public void configure(Map<String, ?> configs, String saslMechanism,
      List<AppConfigurationEntry> jaasConfigEntries) {
    if (jaasConfigEntries.size() != 1) {
      throw new IllegalArgumentException("expected one JAAS login module, got "
          + jaasConfigEntries.size());
    }
    Map<String, ?> options = jaasConfigEntries.get(0).getOptions();
    username = (String) options.get("username");
    passwordFile = (String) options.get(PASSWORD_FILE_OPTION);
    passwordEnv = (String) options.get(PASSWORD_ENV_OPTION);
    if (username == null || (passwordFile == null && passwordEnv == null)) {
      throw new IllegalArgumentException("the JAAS options must name the user and "
          + PASSWORD_FILE_OPTION + " or " + PASSWORD_ENV_OPTION);
    }
  }

  @Override
  public void handle(Callback[] callbacks) throws IOException, UnsupportedCallbackException {
    for (Callback callback : callbacks) {
      if (callback instanceof NameCallback name) {
        name.setName(username);
      } else if (callback instanceof PasswordCallback password) {
        try {
          password.setPassword(readPassword(passwordFile, passwordEnv, env).toCharArray());
        } catch (IllegalStateException e) {
          throw new IOException(e.getMessage());
        }
      } else {
        // SCRAM asks for extensions too; it logs the refusal and goes on without any
        throw new UnsupportedCallbackException(callback);
      }
    }
  }

  /**
   * The password from {@code file} when given, else from the variable {@code envName}.
   *
   * @throws IllegalStateException naming the file or variable (never the value) when unreadable
   *     or empty
   */
  static String readPassword(String file, String envName, Function<String, String> env) {
    String password;
    if (file != null) {
      try {
        password = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      } catch (IOException | RuntimeException e) {
        throw new IllegalStateException("cannot read the Kafka password file " + file + ": " + e);
      }
      password = password.endsWith("\r\n") ? password.substring(0, password.length() - 2)
          : password.endsWith("\n") ? password.substring(0, password.length() - 1) : password;
      if (password.isEmpty()) {
        throw new IllegalStateException("the Kafka password file " + file + " is empty");
      }
      return password;
    }
    password = env.apply(envName);
    if (password == null || password.isEmpty()) {
      throw new IllegalStateException("no Kafka password: set " + envName + " (or a password"
          + " file, " + KafkaSecurity.ENV_PASSWORD_FILE + ")");
    }
    return password;
  }

  @Override
  public void close() {
    // nothing held
  }
}
