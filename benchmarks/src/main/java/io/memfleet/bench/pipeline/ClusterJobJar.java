package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.cluster.ClusterBenchmarkJob;
import io.memfleet.pipeline.MemfleetJob;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The job jar the cluster benchmark submits: the pipeline's shaded job jar ({@code mvn -pl pipeline
 * package} leaves {@code memfleet-pipeline-<version>-job.jar} next to the pipeline's jar, and
 * {@code install} puts both in the local repository) with the classes of
 * {@link io.memfleet.bench.pipeline.cluster} added and {@link ClusterBenchmarkJob} as its
 * {@code Main-Class}. Everything else in it is byte for byte what production deploys.
 *
 * <pre>{@code
 * Path jar = ClusterJobJar.build(ClusterJobJar.pipelineJobJar(), work.resolve("bench-job.jar"));
 * }</pre>
 */
final class ClusterJobJar {
  private static final String PACKAGE =
      ClusterBenchmarkJob.class.getPackageName().replace('.', '/') + "/";

  private ClusterJobJar() {}

  /**
   * The pipeline's job jar beside the pipeline classes this JVM runs: {@code *-job.jar} in the
   * directory of the pipeline's jar, or in {@code target/} when they are {@code target/classes}.
   *
   * @throws IllegalStateException when there is none (the pipeline not packaged)
   */
  static Path pipelineJobJar() {
    Path classes = codeSource(MemfleetJob.class);
    Path dir = classes.getParent(); // the jar's directory, or target/ of target/classes
    String name = classes.getFileName().toString();
    String expected = name.endsWith(".jar") ? name.replace(".jar", "-job.jar") : null;
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> jobJars = files.filter(f -> f.getFileName().toString().endsWith("-job.jar"))
          .filter(f -> expected == null || f.getFileName().toString().equals(expected))
          .toList();
      if (jobJars.size() != 1) {
        throw new IllegalStateException("no single pipeline job jar (*-job.jar) in " + dir
            + " beside " + classes + ": " + jobJars + "; build it with `mvn -pl pipeline "
            + "install -DskipTests`, or name one with --cluster-job-jar");
      }
      return jobJars.get(0);
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + dir, e);
    }
  }

  /** Writes {@code target}: {@code pipelineJobJar} plus the benchmark job's classes. */
  static Path build(Path pipelineJobJar, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Files.copy(pipelineJobJar, target, StandardCopyOption.REPLACE_EXISTING);
    Path classes = codeSource(ClusterBenchmarkJob.class);
    // the zip file system copies the jar's entries as they are and writes the new ones on close
    try (FileSystem jar = FileSystems.newFileSystem(target)) {
      if (Files.isDirectory(classes)) {
        copyPackage(classes, jar);
      } else {
        try (FileSystem benchmarkJar = FileSystems.newFileSystem(classes)) {
          copyPackage(benchmarkJar.getPath("/"), jar);
        }
      }
      Path manifestFile = jar.getPath("META-INF", "MANIFEST.MF");
      Manifest manifest = new Manifest();
      try (InputStream in = Files.newInputStream(manifestFile)) {
        manifest.read(in);
      }
      manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS,
          ClusterBenchmarkJob.class.getName());
      try (OutputStream out = Files.newOutputStream(manifestFile)) {
        manifest.write(out);
      }
    }
    return target;
  }

  private static void copyPackage(Path root, FileSystem jar) throws IOException {
    Path dir = root.resolve(PACKAGE);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("no classes under " + dir);
    }
    for (Path file : files) {
      Path to = jar.getPath(PACKAGE, dir.relativize(file).toString());
      Files.createDirectories(to.getParent());
      Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static Path codeSource(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("where " + type + " was loaded from", e);
    }
  }
}
