package io.memfleet.collector.jfr.attach;

import io.memfleet.collector.jfr.JfrEventMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's class histogram ({@code jcmd PID GC.class_histogram -all}: every object on the heap,
 * garbage not yet collected included, by class; a walk of the heap at a safepoint, no
 * collection) cut to the rows that can name a leak: the classes holding the most bytes, and the
 * program's own classes holding the most (a leak's holder — a program class whose instances
 * each keep an array — holds few bytes itself, and would not be among the first rows).
 *
 * <pre>{@code
 * List<ClassHistogram.Row> rows = ClassHistogram.parse(attach.jcmd(ClassHistogram.COMMAND));
 * List<ClassHistogram.Row> kept = ClassHistogram.select(rows, 8, 8);
 * }</pre>
 */
public final class ClassHistogram {
  /** The diagnostic command: every object, no full collection first. */
  public static final String COMMAND = "GC.class_histogram -all";

  /** {@code "   1:   2586   21185488  [D (java.base@17.0.15)"}: rank, instances, bytes, class. */
  private static final Pattern ROW =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(?:\\s+\\(.*\\))?\\s*$");
  /** The JDK's own classes; arrays are named by their element type's descriptor. */
  private static final Pattern JDK = Pattern.compile("^(?:java|javax|jdk|sun|com\\.sun)\\..*");

  private ClassHistogram() {}

  /** One class on the heap: its name as Java writes it ({@code double[]}), instances, bytes. */
  public record Row(String className, long instances, long bytes) {
    /** Whether the class is the program's: no array, not of the JDK. */
    public boolean programClass() {
      return !className.endsWith("[]") && !JDK.matcher(className).matches();
    }
  }

  /** The rows of a histogram's text; other lines (header, total) are skipped. */
  public static List<Row> parse(String text) {
    List<Row> rows = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        rows.add(new Row(JfrEventMapper.javaName(m.group(3)), Long.parseLong(m.group(1)),
            Long.parseLong(m.group(2))));
      }
    }
    return rows;
  }

  /**
   * The {@code heaviest} rows by bytes and the {@code program} heaviest program classes, each
   * once, heaviest first.
   */
  public static List<Row> select(List<Row> rows, int heaviest, int program) {
    List<Row> byBytes = new ArrayList<>(rows);
    byBytes.sort(Comparator.comparingLong(Row::bytes).reversed());
    Map<String, Row> kept = new LinkedHashMap<>();
    byBytes.stream().limit(heaviest).forEach(r -> kept.put(r.className(), r));
    byBytes.stream().filter(Row::programClass).limit(program)
        .forEach(r -> kept.putIfAbsent(r.className(), r));
    List<Row> out = new ArrayList<>(kept.values());
    out.sort(Comparator.comparingLong(Row::bytes).reversed());
    return out;
  }
}
