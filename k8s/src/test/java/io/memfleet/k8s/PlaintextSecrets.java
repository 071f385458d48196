package io.memfleet.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds credentials written in plain text in manifests: the check that keeps passwords, tokens
 * and keys in Secrets created outside git.
 *
 * <p>Flagged: a Secret carrying {@code data}/{@code stringData}; an env var whose name says it
 * holds a credential with a literal {@code value}; any key naming a credential
 * ({@code password}, {@code secret}, {@code token}, {@code access-key}…) with a literal value,
 * where references are allowed — an environment variable ({@code $VAR}, {@code ${VAR}}), an
 * Altinity {@code k8s_secret_*} reference, or the absolute path a setting named {@code *_FILE}
 * gives (a mounted Secret: {@code MEMFLEET_KAFKA_PASSWORD_FILE=/etc/memfleet/kafka/password});
 * and a URL with {@code user:password@}.
 *
 * <pre>{@code
 * List<String> findings = PlaintextSecrets.scan(resource, "base Deployment/grafana");
 * }</pre>
 */
final class PlaintextSecrets {
  private static final Pattern CREDENTIAL_NAME = Pattern.compile(
      "(?i).*(password|passwd|secret|token|credential|private[-_.]?key|access[-_.]?key"
      + "|api[-_.]?key).*");
  /** Keys that name a Secret rather than hold one: secretName, secretKeyRef, tokenRef. */
  private static final Pattern REFERENCE_NAME = Pattern.compile("(?i).*(name|ref)$");
  private static final Pattern ENV_REFERENCE = Pattern.compile("^\\$(\\{[A-Za-z_][A-Za-z0-9_]*}"
      + "|[A-Za-z_][A-Za-z0-9_]*)$");
  /** A setting that names the file a credential is in, and such a file's name. */
  private static final Pattern FILE_NAME = Pattern.compile("(?i).*file$");
  private static final Pattern ABSOLUTE_PATH = Pattern.compile("^/[^\\s:@]+$");
  private static final Pattern URL_CREDENTIALS = Pattern.compile("://[^/\\s:@]+:[^/\\s@]+@");

  private PlaintextSecrets() {}

  static List<String> scan(Object doc, String where) {
    List<String> out = new ArrayList<>();
    if (doc instanceof Map<?, ?> m && "Secret".equals(m.get("kind"))
        && (m.get("data") != null || m.get("stringData") != null)) {
      out.add(where + ": a Secret with its values in the manifest");
    }
    walk(doc, where, "", out);
    return out;
  }

  private static void walk(Object node, String where, String path, List<String> out) {
    if (node instanceof Map<?, ?> m) {
      // env entries: {name: X_PASSWORD, value: literal}
      if (m.get("name") instanceof String n && m.containsKey("value")
          && CREDENTIAL_NAME.matcher(n).matches() && !REFERENCE_NAME.matcher(n).matches()
          && isLiteral(m.get("value")) && !isFileReference(n, m.get("value"))) {
        out.add(where + ": " + path + " env " + n + " has a literal value");
      }
      for (Map.Entry<?, ?> e : m.entrySet()) {
        String key = String.valueOf(e.getKey());
        Object v = e.getValue();
        String last = key.substring(key.lastIndexOf('/') + 1);
        boolean reference = last.startsWith("k8s_secret_")
            || REFERENCE_NAME.matcher(last).matches();
        if (!reference && CREDENTIAL_NAME.matcher(last).matches() && isLiteral(v)
            && !isReferenceShape(v) && !isFileReference(last, v)) {
          out.add(where + ": " + path + "." + key + " holds a literal credential");
        }
        walk(v, where, path + "." + key, out);
      }
    } else if (node instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        walk(l.get(i), where, path + "[" + i + "]", out);
      }
    } else if (node instanceof String s && URL_CREDENTIALS.matcher(s).find()) {
      out.add(where + ": " + path + " is a URL with credentials");
    }
  }

  private static boolean isLiteral(Object v) {
    return (v instanceof String s && !s.isBlank()) || v instanceof Number;
  }

  /** A {@code *_FILE} setting whose value is an absolute path: where the credential is. */
  private static boolean isFileReference(String name, Object v) {
    return FILE_NAME.matcher(name).matches() && v instanceof String s
        && ABSOLUTE_PATH.matcher(s.strip()).matches();
  }

  /** A value that only names where the credential lives. */
  private static boolean isReferenceShape(Object v) {
    return v instanceof String s && ENV_REFERENCE.matcher(s.strip()).matches();
  }
}
