package io.memfleet.sql.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationSourceTest {
  /** A jar holding two migrations where the memfleet-sql jar holds its own. */
  private static Path jarWithMigrations(Path dir) throws Exception {
    Path jar = dir.resolve("migrations.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out)) {
      j.putNextEntry(new JarEntry(MigrationSource.CLASSPATH_DIR + "/"));
      j.closeEntry();
      for (String name : List.of("V001__first.sql", "V002__second.sql")) {
        j.putNextEntry(new JarEntry(MigrationSource.CLASSPATH_DIR + "/" + name));
        j.write(("SELECT " + name.charAt(3) + ";\n").getBytes(StandardCharsets.UTF_8));
        j.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void migrationsInAJarAreReadByManyThreadsAtOnce(@TempDir Path dir) throws Exception {
    // parallel tests each applying the migrations once opened the jar's one file system twice
    // (FileSystemAlreadyExistsException)
    Path jar = jarWithMigrations(dir);
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<Migration>>> reads = new ArrayList<>();
      for (int i = 0; i < threads * 25; i++) {
        reads.add(pool.submit(() -> {
          start.await();
          return MigrationSource.bundled(loader);
        }));
      }
      start.countDown();
      for (Future<List<Migration>> r : reads) {
        assertThat(r.get()).extracting(Migration::version).containsExactly(1, 2);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
