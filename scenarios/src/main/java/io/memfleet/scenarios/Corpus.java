package io.memfleet.scenarios;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The labelled scenarios on the class path, in the order of the index file
 * {@value #INDEX} (one scenario id a line; {@code #} starts a comment).
 *
 * <pre>{@code
 * for (Scenario s : Corpus.load()) { ... }
 * Scenario leak = Corpus.byId("go-heap-leak");
 * List<Scenario> quick = Corpus.ci();
 * }</pre>
 *
 * <p>The corpus of this module's own class loader is read once and cached; it is immutable and
 * safe to share between threads.
 */
public final class Corpus {
  /** Class-path resource listing every scenario id. */
  public static final String INDEX = "io/memfleet/scenarios/index.txt";
  /** Class-path folder of the label files, {@code <id>.properties}. */
  public static final String LABELS = "io/memfleet/scenarios/";

  private static volatile List<Scenario> loaded;

  private Corpus() {}

  /**
   * Every scenario of this module, in index order.
   *
   * @throws ScenarioLabelException when a label is invalid
   * @throws UncheckedIOException when the index or a label cannot be read
   */
  public static List<Scenario> load() {
    List<Scenario> all = loaded;
    if (all == null) {
      // racing first callers may both read the labels; both get equal lists
      all = load(Corpus.class.getClassLoader());
      loaded = all;
    }
    return all;
  }

  /** Every scenario listed by the index found through {@code loader}, in index order. */
  public static List<Scenario> load(ClassLoader loader) {
    Map<String, Scenario> byId = new LinkedHashMap<>();
    for (String id : index(loader)) {
      Scenario s;
      try (InputStream in = loader.getResourceAsStream(LABELS + id + ".properties")) {
        if (in == null) {
          throw new ScenarioLabelException(id + ".properties", null,
              "listed in " + INDEX + " but not on the class path under " + LABELS);
        }
        s = Scenario.read(id, in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the label of scenario " + id, e);
      }
      if (byId.put(id, s) != null) {
        throw new IllegalStateException(INDEX + " lists scenario " + id + " twice");
      }
    }
    return List.copyOf(byId.values());
  }

  /**
   * The scenario with this id.
   *
   * @throws NoSuchElementException naming the known ids when there is none
   */
  public static Scenario byId(String id) {
    for (Scenario s : load()) {
      if (s.id().equals(id)) {
        return s;
      }
    }
    throw new NoSuchElementException("no scenario '" + id + "' in " + INDEX + " (known: "
        + String.join(", ", load().stream().map(Scenario::id).toList()) + ")");
  }

  /** The scenarios labelled {@code ci=true}: the small set CI runs end to end. */
  public static List<Scenario> ci() {
    return load().stream().filter(Scenario::ci).toList();
  }

  static List<String> index(ClassLoader loader) {
    try (InputStream in = loader.getResourceAsStream(INDEX)) {
      if (in == null) {
        throw new IllegalStateException(INDEX + " is not on the class path");
      }
      List<String> ids = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        int hash = line.indexOf('#');
        String id = (hash < 0 ? line : line.substring(0, hash)).strip();
        if (!id.isEmpty()) {
          ids.add(id);
        }
      }
      return ids;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + INDEX, e);
    }
  }
}
