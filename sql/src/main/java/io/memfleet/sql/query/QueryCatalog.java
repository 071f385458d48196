package io.memfleet.sql.query;

import io.memfleet.sql.BundledFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The planners' questions: every {@code *.sql} file of {@code sql/queries}, parsed and checked.
 * The files ship inside the memfleet-sql jar under {@code memfleet/sql/queries}, so
 * {@code memfleet query} needs no checkout; {@link #fromDirectory} reads an edited copy.
 *
 * <pre>{@code
 * QueryCatalog catalog = QueryCatalog.bundled();
 * for (PlannerQuery q : catalog.all()) System.out.println(q.name() + ": " + q.answers());
 * PlannerQuery q = catalog.get("headroom_to_limit").orElseThrow();
 * }</pre>
 *
 * <p>Loading fails on the first malformed file, naming it (a broken query must not silently
 * disappear from the list).
 */
public final class QueryCatalog {
  static final String CLASSPATH_DIR = "memfleet/sql/queries";

  private final Map<String, PlannerQuery> queries;

  private QueryCatalog(Map<String, PlannerQuery> queries) {
    this.queries = queries;
  }

  /** The queries shipped inside the memfleet-sql jar (or its classes directory). */
  public static QueryCatalog bundled() throws IOException {
    return BundledFiles.read(QueryCatalog.class.getClassLoader(), CLASSPATH_DIR,
        QueryCatalog::fromDirectory);
  }

  /** Every {@code *.sql} file of {@code dir}; duplicate names cannot occur (one file per name). */
  public static QueryCatalog fromDirectory(Path dir) throws IOException {
    Map<String, PlannerQuery> queries = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files.sorted()::iterator) {
        String fileName = file.getFileName().toString();
        if (fileName.endsWith(".sql") && Files.isRegularFile(file)) {
          PlannerQuery q = PlannerQuery.parse(fileName, Files.readString(file,
              StandardCharsets.UTF_8));
          queries.put(q.name(), q);
        }
      }
    }
    return new QueryCatalog(queries);
  }

  /** A catalog of the given queries (tests, embedding). */
  public static QueryCatalog of(Collection<PlannerQuery> queries) {
    Map<String, PlannerQuery> byName = new TreeMap<>();
    for (PlannerQuery q : queries) {
      if (byName.put(q.name(), q) != null) {
        throw new IllegalArgumentException("two queries named " + q.name());
      }
    }
    return new QueryCatalog(byName);
  }

  /** The query called {@code name}. */
  public Optional<PlannerQuery> get(String name) {
    return Optional.ofNullable(queries.get(name));
  }

  /** All queries, sorted by name. */
  public List<PlannerQuery> all() {
    return new ArrayList<>(queries.values());
  }

  public List<String> names() {
    return new ArrayList<>(queries.keySet());
  }
}
