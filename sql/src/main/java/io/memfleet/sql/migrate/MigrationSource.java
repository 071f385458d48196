package io.memfleet.sql.migrate;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
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

  /**
   * The migrations {@code loader} finds. Safe to call from several threads at once (tests run in
   * parallel, each applying the migrations): the jar's file system is one per JVM, so it is
   * opened, read and closed under one lock, and one opened elsewhere is read and left open.
   */
  static List<Migration> bundled(ClassLoader loader) throws IOException {
    URL url = loader.getResource(CLASSPATH_DIR);
    if (url == null) {
      throw new IOException("no " + CLASSPATH_DIR + " on the class path");
    }
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        return fromJar(uri);
      }
      return fromDirectory(Path.of(uri));
    } catch (URISyntaxException e) {
      throw new IOException("bad resource URL " + url, e);
    }
  }

  private static synchronized List<Migration> fromJar(URI uri) throws IOException {
    FileSystem open;
    try {
      open = FileSystems.newFileSystem(uri, Map.of());
    } catch (FileSystemAlreadyExistsException e) {
      return fromDirectory(FileSystems.getFileSystem(uri).getPath(CLASSPATH_DIR)); // not ours
    }
    try (FileSystem fs = open) {
      return fromDirectory(fs.getPath(CLASSPATH_DIR));
    }
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
