package io.memfleet.bench.pipeline;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a figure was measured on, printed with it: JVM, heap, CPUs, CPU model, memory, kernel and
 * the load average (other work on the machine shares its cores).
 *
 * <pre>{@code
 * MachineDetails.describe().forEach(System.out::println);
 * }</pre>
 */
final class MachineDetails {
  private MachineDetails() {}

  static List<String> describe() {
    List<String> lines = new ArrayList<>();
    java.lang.Runtime rt = java.lang.Runtime.getRuntime();
    lines.add(String.format("JVM: %s %s (%s), max heap %d MiB, GC %s",
        System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
        System.getProperty("java.vendor"), rt.maxMemory() >> 20, garbageCollectors()));
    lines.add(String.format("machine: %d CPUs (%s), %s, %s %s %s", rt.availableProcessors(),
        cpuModel(), memTotal(), System.getProperty("os.name"), System.getProperty("os.version"),
        System.getProperty("os.arch")));
    lines.add("load average (1/5/15 min): " + loadAverage());
    return lines;
  }

  static String loadAverage() {
    String load = firstLine(Path.of("/proc/loadavg"));
    if (load == null) {
      return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean()
          .getSystemLoadAverage());
    }
    String[] parts = load.split("\\s+");
    return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : load;
  }

  private static String garbageCollectors() {
    List<String> names = new ArrayList<>();
    ManagementFactory.getGarbageCollectorMXBeans().forEach(gc -> names.add(gc.getName()));
    return String.join(", ", names);
  }

  private static String cpuModel() {
    return valueOf(Path.of("/proc/cpuinfo"), "model name", "unknown CPU model");
  }

  private static String memTotal() {
    String kb = valueOf(Path.of("/proc/meminfo"), "MemTotal", null);
    if (kb == null) {
      return "memory unknown";
    }
    try {
      long total = Long.parseLong(kb.replace("kB", "").trim());
      return String.format("%.1f GiB RAM", total / (1024.0 * 1024.0));
    } catch (NumberFormatException e) {
      return kb;
    }
  }

  private static String valueOf(Path file, String key, String fallback) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          int colon = line.indexOf(':');
          return colon < 0 ? fallback : line.substring(colon + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      return fallback; // not Linux: the details are a courtesy, not a result
    }
    return fallback;
  }

  private static String firstLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? null : lines.get(0).trim();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
