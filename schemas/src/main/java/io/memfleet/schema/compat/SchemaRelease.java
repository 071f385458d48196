package io.memfleet.schema.compat;

import io.memfleet.schema.EventTypes;
import io.memfleet.schema.ReleasedSchemas;
import io.memfleet.schema.codec.EventSchemaStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * Cuts a schema release: writes the current schemas into the next numbered release directory of
 * the source tree, where the codec's store and the compatibility gate find them.
 *
 * <p>Run it when collectors built from the current schemas are about to ship, then commit the new
 * directory. It refuses when the current schemas are incompatible with the previous release and
 * does nothing when nothing changed (fingerprints equal; docs alone do not make a release).
 *
 * <pre>{@code
 * cd schemas && mvn -q -o compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "target/classes:$(cat target/cp.txt)" io.memfleet.schema.compat.SchemaRelease \
 *     src/main/resources/memfleet/schemas/released
 * }</pre>
 */
public final class SchemaRelease {

  /** Default release root, relative to the {@code schemas} module directory. */
  public static final Path DEFAULT_ROOT = Path.of("src/main/resources", ReleasedSchemas.ROOT);

  private SchemaRelease() {}

  public static void main(String[] args) throws IOException {
    Path root = args.length > 0 ? Path.of(args[0]) : DEFAULT_ROOT;
    TreeMap<Integer, Map<String, Schema>> existing = readReleases(root);
    List<Schema> current = EventTypes.schemas();
    if (!existing.isEmpty()) {
      int last = existing.lastKey();
      CompatibilityReport report =
          SchemaCompatibilityGate.check(current, existing.get(last).values(), "release " + last);
      System.out.print(report.format());
      if (!report.compatible()) {
        System.err.println("not releasing: fix the incompatibilities first");
        System.exit(1);
      }
      if (sameFingerprints(current, existing.get(last))) {
        System.out.println("no schema changes since release " + last + "; nothing written");
        return;
      }
    }
    int version = existing.isEmpty() ? 1 : existing.lastKey() + 1;
    Path dir = write(root, version, current);
    System.out.println("wrote release " + version + " to " + dir);
  }

  /** Writes {@code schemas} as release {@code version} under {@code root}; returns its dir. */
  public static Path write(Path root, int version, List<Schema> schemas) throws IOException {
    Path dir = root.resolve(Integer.toString(version));
    if (Files.exists(dir)) {
      throw new IOException(dir + " exists; releases are immutable");
    }
    Files.createDirectories(dir);
    List<String> files = new ArrayList<>();
    for (Schema schema : schemas) {
      String file = schema.getName() + ".avsc";
      // toString inlines every named type, so the file stands alone as that release's truth
      Files.writeString(dir.resolve(file), schema.toString(true) + "\n", StandardCharsets.UTF_8);
      files.add(file);
    }
    Files.write(dir.resolve(ReleasedSchemas.INDEX), files, StandardCharsets.UTF_8);
    List<String> versions = new ArrayList<>();
    readReleases(root).keySet().forEach(v -> versions.add(v.toString()));
    Files.write(root.resolve(ReleasedSchemas.VERSIONS), versions, StandardCharsets.UTF_8);
    return dir;
  }

  private static TreeMap<Integer, Map<String, Schema>> readReleases(Path root) throws IOException {
    TreeMap<Integer, Map<String, Schema>> releases = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return releases;
    }
    try (var dirs = Files.list(root)) {
      for (Path dir : (Iterable<Path>) dirs::iterator) {
        Path index = dir.resolve(ReleasedSchemas.INDEX);
        if (!Files.isRegularFile(index)) {
          continue;
        }
        Map<String, Schema> byName = new TreeMap<>();
        for (String file : Files.readAllLines(index, StandardCharsets.UTF_8)) {
          if (!file.isBlank()) {
            Schema s = new Schema.Parser().parse(dir.resolve(file.strip()).toFile());
            byName.put(s.getFullName(), s);
          }
        }
        releases.put(Integer.parseInt(dir.getFileName().toString()), byName);
      }
    }
    return releases;
  }

  private static boolean sameFingerprints(List<Schema> current, Map<String, Schema> released) {
    return current.size() == released.size()
        && current.stream()
            .allMatch(
                s ->
                    released.containsKey(s.getFullName())
                        && EventSchemaStore.fingerprint(s)
                            == EventSchemaStore.fingerprint(released.get(s.getFullName())));
  }
}
