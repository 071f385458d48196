package io.memfleet.pipeline.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * The class path of the JobManager and TaskManager processes: what a Flink image has in
 * {@code lib/}, taken from this test JVM's class path (which holds Flink 2.2 at the pipeline's
 * versions), without what only the job jar brings.
 *
 * <p>Left out: memfleet's own classes (directories and {@code memfleet-*} jars), test jars, and
 * every Flink artifact whose classes the job jar carries (the Kafka connector, flink-avro…).
 * The last matter most: Flink loads {@code org.apache.flink.*} parent-first, so a Kafka connector
 * on the cluster's class path would link against the cluster's kafka-clients while memfleet's
 * serializers, loaded child-first from the job jar, link against the job jar's: two
 * {@code ProducerRecord} classes in one job, which a production image (no connectors in
 * {@code lib/}) never has. Left out, the connector is found in the job jar as in production.
 */
final class ClusterClasspath {
  private static final Path FLINK_GROUP = Path.of("org", "apache", "flink");

  private ClusterClasspath() {}

  /** The entries of {@code testClasspath} a Flink cluster running {@code jobJar} would have. */
  static String of(String testClasspath, Path jobJar) {
    Set<String> jobEntries = entries(jobJar);
    return Arrays.stream(testClasspath.split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .map(Path::of)
        .filter(Files::isRegularFile) // directories are memfleet's classes and test classes
        .filter(jar -> !jar.getFileName().toString().startsWith("memfleet-"))
        .filter(jar -> !jar.getFileName().toString().endsWith("-tests.jar"))
        .filter(jar -> !(isFlinkArtifact(jar) && jobEntries.contains(firstClass(jar))))
        .map(Path::toString)
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static Set<String> entries(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(JarEntry::getName).collect(Collectors.toSet());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jar, e);
    }
  }

  /** The first class file in {@code jar} (Flink's jars carry no Maven metadata to go by). */
  private static String firstClass(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(JarEntry::getName)
          .filter(name -> name.endsWith(".class") && !name.endsWith("module-info.class"))
          .findFirst().orElse("");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jar, e);
    }
  }

  /** A local-repository path .../org/apache/flink/{artifactId}/{version}/{file}.jar. */
  private static boolean isFlinkArtifact(Path jar) {
    Path version = jar.getParent();
    Path artifact = version == null ? null : version.getParent();
    Path group = artifact == null ? null : artifact.getParent();
    return group != null && group.endsWith(FLINK_GROUP);
  }
}
