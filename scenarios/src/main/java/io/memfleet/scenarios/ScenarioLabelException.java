package io.memfleet.scenarios;

/**
 * A label file that cannot be a scenario: the message names the file, the key and what is wrong,
 * e.g. {@code jvm-g1-heap-leak.properties: runtime: expected JVM, GO or NATIVE, got 'JAVA'}.
 */
public final class ScenarioLabelException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String key;

  public ScenarioLabelException(String file, String key, String problem) {
    super(file + ": " + (key == null ? "" : key + ": ") + problem);
    this.file = file;
    this.key = key;
  }

  /** The label file, e.g. {@code go-heap-leak.properties}. */
  public String file() {
    return file;
  }

  /** The offending key, or null when the problem is the file as a whole. */
  public String key() {
    return key;
  }
}
