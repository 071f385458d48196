package io.memfleet.schema;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * The schema versions that have been released, read from the classpath.
 *
 * <p>A release is a directory {@code memfleet/schemas/released/<N>/} holding one standalone,
 * fully inlined schema per top-level record. Classpath directories cannot be listed portably
 * (inside a jar there is no directory), so each release has an {@value #INDEX} naming its files
 * and the parent directory has a {@value #VERSIONS} naming the releases; {@code SchemaRelease}
 * writes both.
 *
 * <pre>{@code
 * ReleasedSchemas released = ReleasedSchemas.fromClasspath();
 * released.latestVersion().ifPresent(v -> System.out.println(released.schemas(v).keySet()));
 * }</pre>
 */
public final class ReleasedSchemas {

  /** Classpath directory holding one subdirectory per release. */
  public static final String ROOT = "memfleet/schemas/released";
  /** File in {@link #ROOT} listing release numbers, one per line. */
  public static final String VERSIONS = "versions.txt";
  /** File in each release directory listing its schema files, one per line. */
  public static final String INDEX = "index.txt";

  private final TreeMap<Integer, Map<String, Schema>> releases;

  private ReleasedSchemas(TreeMap<Integer, Map<String, Schema>> releases) {
    this.releases = releases;
  }

  /** Reads every release visible to this class's class loader. */
  public static ReleasedSchemas fromClasspath() {
    return fromClasspath(ReleasedSchemas.class.getClassLoader());
  }

  /** Reads every release visible to {@code loader}; none at all is a valid (empty) answer. */
  public static ReleasedSchemas fromClasspath(ClassLoader loader) {
    TreeMap<Integer, Map<String, Schema>> releases = new TreeMap<>();
    for (String version : lines(loader, ROOT + "/" + VERSIONS)) {
      Map<String, Schema> byName = new LinkedHashMap<>();
      String dir = ROOT + "/" + version + "/";
      for (String file : lines(loader, dir + INDEX)) {
        Schema schema = parse(loader, dir + file);
        byName.put(schema.getFullName(), schema);
      }
      releases.put(Integer.parseInt(version), Collections.unmodifiableMap(byName));
    }
    return new ReleasedSchemas(releases);
  }

  /** Release numbers, ascending. */
  public List<Integer> versions() {
    return List.copyOf(releases.keySet());
  }

  /** The highest release number, empty before the first release. */
  public Optional<Integer> latestVersion() {
    return releases.isEmpty() ? Optional.empty() : Optional.of(releases.lastKey());
  }

  /** Schemas of one release by record full name; empty for an unknown version. */
  public Map<String, Schema> schemas(int version) {
    return releases.getOrDefault(version, Map.of());
  }

  /** Every schema of every release (the same record appears once per release). */
  public List<Schema> all() {
    List<Schema> all = new ArrayList<>();
    releases.values().forEach(m -> all.addAll(m.values()));
    return all;
  }

  private static Schema parse(ClassLoader loader, String resource) {
    try (InputStream in = open(loader, resource)) {
      // one parser per file: each released file is standalone, and names repeat across files
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read released schema " + resource, e);
    }
  }

  private static List<String> lines(ClassLoader loader, String resource) {
    if (loader.getResource(resource) == null) {
      return List.of();
    }
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(open(loader, resource), StandardCharsets.UTF_8))) {
      return reader.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  private static InputStream open(ClassLoader loader, String resource) throws IOException {
    InputStream in = loader.getResourceAsStream(resource);
    if (in == null) {
      throw new IOException("missing classpath resource " + resource);
    }
    return in;
  }
}
