package io.memfleet.sql;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a directory of files shipped on the class path — inside the memfleet-sql jar, or its
 * classes directory in a checkout — such as the migrations and the planner queries.
 *
 * <p>Safe to call from several threads at once (tests run in parallel, each applying the
 * migrations): a jar's file system is one per JVM, so every read of one here opens, reads and
 * closes it under one lock; one opened elsewhere in the JVM is read and left open.
 *
 * <pre>{@code
 * List<Migration> m = BundledFiles.read(loader, "memfleet/sql/migrations",
 *     MigrationSource::fromDirectory);
 * }</pre>
 */
public final class BundledFiles {
  private static final Object JARS = new Object();

  /** What {@code reader} makes of a directory. */
  @FunctionalInterface
  public interface DirectoryReader<T> {
    T read(Path dir) throws IOException;
  }

  private BundledFiles() {}

  /** {@code reader} applied to the class-path directory {@code dir} that {@code loader} finds. */
  public static <T> T read(ClassLoader loader, String dir, DirectoryReader<T> reader)
      throws IOException {
    URL url = loader.getResource(dir);
    if (url == null) {
      throw new IOException("no " + dir + " on the class path");
    }
    URI uri;
    try {
      uri = url.toURI();
    } catch (URISyntaxException e) {
      throw new IOException("bad resource URL " + url, e);
    }
    if (!"jar".equals(uri.getScheme())) {
      return reader.read(Path.of(uri));
    }
    synchronized (JARS) {
      FileSystem open;
      try {
        open = FileSystems.newFileSystem(uri, Map.of());
      } catch (FileSystemAlreadyExistsException e) {
        return reader.read(FileSystems.getFileSystem(uri).getPath(dir)); // not ours to close
      }
      try (FileSystem fs = open) {
        return reader.read(fs.getPath(dir));
      }
    }
  }
}
