package io.memfleet.k8s;

import java.util.regex.Pattern;

/** Which names say their value is a credential (shared by the scanner's callers). */
final class PlaintextSecretsNames {
  private static final Pattern CREDENTIAL = Pattern.compile(
      "(?i).*(password|secret|token|key).*");

  private PlaintextSecretsNames() {}

  static boolean isCredential(String name) {
    return CREDENTIAL.matcher(name).matches();
  }
}
