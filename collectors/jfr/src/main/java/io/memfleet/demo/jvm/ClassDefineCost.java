package io.memfleet.demo.jvm;

import io.memfleet.collector.jfr.JfrSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What memfleet's class-define stacks ({@code jdk.ClassDefine} with its stack, for naming a
 * class-loader leak) cost a JVM that defines classes: the time per class defined — a fresh class
 * loader defining one small class, as a plugin host or a scripting engine does — in child JVMs
 * without JFR, with memfleet's recording less its two class events, and with memfleet's
 * recording as it ships. Runs alternate between the three and the medians are printed.
 *
 * <pre>
 * cd collectors/jfr/target
 * java -cp memfleet-collector-jfr-0.1.0-SNAPSHOT-agent.jar:memfleet-collector-jfr-0.1.0-SNAPSHOT-demo.jar \
 *      io.memfleet.demo.jvm.ClassDefineCost 5 20000
 * </pre>
 *
 * <p>Arguments: runs per variant (5), classes defined per run (20 000, after 2 000 not counted).
 * The figure is an upper bound for real programs: a real class takes longer to parse and verify
 * than this one, and the stack walk is the same.
 */
public final class ClassDefineCost {
  private static final String[] CLASS_EVENTS = {"jdk.ClassDefine", "jdk.ClassLoad",
      "jdk.ClassUnload"};

  /** The class each loader defines afresh. */
  public static final class Plugin {
    int version;
  }

  /**
   * Defines one class from its class file itself (child first), everything else from its parent,
   * as a plugin host's loader does: each loader defines its own copy of the class.
   */
  public static final class PluginLoader extends ClassLoader {
    private final String className;
    private final byte[] classFile;

    public PluginLoader(String className, byte[] classFile, ClassLoader parent) {
      super(parent);
      this.className = className;
      this.classFile = classFile;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          c = name.equals(className) ? defineClass(name, classFile, 0, classFile.length)
              : super.loadClass(name, false);
        }
        return c;
      }
    }

    /** This loader's copy of the class. */
    public Class<?> define() throws ClassNotFoundException {
      return loadClass(className);
    }
  }

  private ClassDefineCost() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--define")) {
      System.out.println(defineAll(Integer.parseInt(args[1])));
      return;
    }
    if (args.length != 2) {
      System.err.println("usage: ClassDefineCost RUNS CLASSES");
      System.exit(2);
    }
    int runs = Integer.parseInt(args[0]);
    int classes = Integer.parseInt(args[1]);
    Path work = Files.createTempDirectory("memfleet-classdefine");
    try {
      JfrSettings shipped = JfrSettings.defaults();
      Path withClasses = work.resolve("memfleet.jfc");
      Files.writeString(withClasses, shipped.toJfc());
      Path withoutClasses = work.resolve("memfleet-no-class-events.jfc");
      Files.writeString(withoutClasses, JfrSettings.only(shipped, shipped.eventNames().stream()
          .filter(e -> !Arrays.asList(CLASS_EVENTS).contains(e)).toArray(String[]::new)).toJfc());
      String[] labels = {"no JFR", "memfleet.jfc without class events", "memfleet.jfc"};
      Path[] settings = {null, withoutClasses, withClasses};
      double[][] micros = new double[3][runs];
      for (int r = 0; r < runs; r++) {
        for (int k = 0; k < 3; k++) {
          int v = (r + k) % 3; // each round starts with the next variant
          micros[v][r] = child(settings[v], work.resolve("run.jfr"), classes);
          System.out.printf(Locale.ROOT, "  run %d %-36s %.2f us per class defined%n", r + 1,
              labels[v], micros[v][r]);
        }
      }
      double base = median(micros[1]);
      for (int v = 0; v < 3; v++) {
        System.out.printf(Locale.ROOT, "%-36s median %.2f us per class defined (%+.2f us, %.3f of"
            + " memfleet.jfc without class events)%n", labels[v], median(micros[v]),
            median(micros[v]) - base, median(micros[v]) / base);
      }
    } finally {
      deleteAll(work); // the settings and the last child's recording
    }
  }

  private static void deleteAll(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static double child(Path jfc, Path recording, int classes)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (jfc != null) {
      cmd.add("-XX:StartFlightRecording=settings=" + jfc + ",filename=" + recording);
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        ClassDefineCost.class.getName(), "--define", Integer.toString(classes)));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String[] lines = new String(p.getInputStream().readAllBytes()).trim().split("\n");
    if (p.waitFor() != 0) {
      throw new IllegalStateException("child JVM failed: " + cmd);
    }
    return Double.parseDouble(lines[lines.length - 1]); // after JFR's start-up notice
  }

  /** Microseconds per class defined, each in a fresh loader, all kept (none unloads). */
  private static double defineAll(int classes) throws Exception {
    byte[] bytes;
    try (InputStream in = ClassDefineCost.class.getResourceAsStream(
        "ClassDefineCost$Plugin.class")) {
      bytes = in.readAllBytes();
    }
    List<Class<?>> kept = new ArrayList<>(classes);
    for (int i = 0; i < 2_000; i++) {
      fresh(bytes); // warm-up, not counted
    }
    long start = System.nanoTime();
    for (int i = 0; i < classes; i++) {
      kept.add(fresh(bytes));
    }
    long ns = System.nanoTime() - start;
    return kept.size() == classes ? ns / 1e3 / classes : Double.NaN;
  }

  private static Class<?> fresh(byte[] bytes) throws ClassNotFoundException {
    return new PluginLoader(Plugin.class.getName(), bytes, ClassDefineCost.class.getClassLoader())
        .define();
  }

  private static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
