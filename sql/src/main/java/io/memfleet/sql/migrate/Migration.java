package io.memfleet.sql.migrate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One migration file, {@code V<number>__<description>.sql}: applied once, in version order.
 *
 * @param checksum SHA-256 of the file text, recorded when applied so that an edited, already-applied
 *     migration is noticed instead of silently diverging
 */
public record Migration(int version, String description, String fileName, String text,
    String checksum, List<Statement> statements) {
  private static final Pattern NAME = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.sql");

  public static Migration of(String fileName, String text) {
    Matcher m = NAME.matcher(fileName);
    if (!m.matches()) {
      throw new IllegalArgumentException("migration file name must look like V001__what_it_does.sql: "
          + fileName);
    }
    return new Migration(Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '), fileName, text,
        sha256(text), MigrationScript.parse(fileName, text));
  }

  public static boolean isMigrationFile(String fileName) {
    return NAME.matcher(fileName).matches();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
