package io.memfleet.sql.migrate;

import io.memfleet.sql.BundledFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Where migrations come from: a directory (a checkout's {@code sql/migrations}) or the jar. */
public final class MigrationSource {
  static final String CLASSPATH_DIR = "memfleet/sql/migrations";

  private MigrationSource() {}

  /** The migrations shipped inside the memfleet-sql jar (or its classes directory). */
  public static List<Migration> bundled() throws IOException {
    return bundled(MigrationSource.class.getClassLoader());
  }

  /** The migrations {@code loader} finds; safe from several threads ({@link BundledFiles}). */
  static List<Migration> bundled(ClassLoader loader) throws IOException {
    return BundledFiles.read(loader, CLASSPATH_DIR, MigrationSource::fromDirectory);
  }

  /** Every {@code V*__*.sql} file of {@code dir}, sorted by version; duplicate versions are an error. */
  public static List<Migration> fromDirectory(Path dir) throws IOException {
    List<Migration> migrations = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (Migration.isMigrationFile(name)) {
          migrations.add(Migration.of(name, Files.readString(file, StandardCharsets.UTF_8)));
        }
      }
    }
    migrations.sort(Comparator.comparingInt(Migration::version));
    Map<Integer, String> seen = new HashMap<>();
    for (Migration m : migrations) {
      String other = seen.put(m.version(), m.fileName());
      if (other != null) {
        throw new IllegalArgumentException("two migrations with version " + m.version() + ": "
            + other + " and " + m.fileName());
      }
    }
    return migrations;
  }
}
