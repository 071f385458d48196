package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;

/**
 * Pricing host that hot-reloads its pricing plugin — and leaks every old version: each reload
 * defines the plugin's classes ({@code io.memfleet.scenarios.jvm.plugin.*}, read from this jar as
 * a plugin directory would be) in a fresh {@link PluginClassLoader}, and the previous plugin
 * instance is kept in a "rollback" history that is never trimmed, so no loader is ever unloaded
 * and metaspace grows with every reload. Scenario {@code jvm-metaspace-leak}.
 *
 * <pre>
 * java -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.PluginHost \
 *      --reload-rate 80 --garbage-rate 8MiB
 * </pre>
 */
public final class PluginHost {
  static final String PLUGIN_PACKAGE = "io.memfleet.scenarios.jvm.plugin.";
  static final List<String> PLUGIN_CLASSES = List.of("PricingRules", "DiscountTable",
      "TaxRules");

  private PluginHost() {}

  /** Defines the plugin's classes itself (child first); everything else comes from the parent. */
  static final class PluginClassLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    PluginClassLoader(long version, Map<String, byte[]> classes, ClassLoader parent) {
      super("pricing-plugin-v" + version, parent);
      this.classes = classes;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        if (c == null) {
          byte[] bytes = classes.get(name);
          c = bytes != null ? defineClass(name, bytes, 0, bytes.length)
              : super.loadClass(name, false);
        }
        if (resolve) {
          resolveClass(c);
        }
        return c;
      }
    }
  }

  /** The live plugin plus every previous version, "for rollback". */
  static final class PluginRegistry {
    private final Map<String, byte[]> classFiles;
    private final List<ToLongFunction<String>> history = new ArrayList<>();
    private ToLongFunction<String> current;

    PluginRegistry(Map<String, byte[]> classFiles) {
      this.classFiles = classFiles;
    }

    @SuppressWarnings("unchecked")
    void reload() throws ReflectiveOperationException {
      PluginClassLoader loader = new PluginClassLoader(history.size() + 1L, classFiles,
          PluginHost.class.getClassLoader());
      Class<?> rules = loader.loadClass(PLUGIN_PACKAGE + "PricingRules");
      ToLongFunction<String> next =
          (ToLongFunction<String>) rules.getDeclaredConstructor().newInstance();
      next.applyAsLong("1:1:de"); // smoke test before switching, loads the helper classes
      if (current != null) {
        history.add(current);
      }
      current = next;
    }

    long price(String line) {
      return current.applyAsLong(line);
    }

    int versions() {
      return history.size() + 1;
    }
  }

  static Map<String, byte[]> readPlugin() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String simple : PLUGIN_CLASSES) {
      String name = PLUGIN_PACKAGE + simple;
      String resource = name.replace('.', '/') + ".class";
      try (InputStream in = PluginHost.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("plugin class file missing: " + resource);
        }
        files.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  public static void main(String[] argv) throws Exception {
    Args args = new Args("pricing-host", argv);
    double reloadRate = args.number("reload-rate", 80);
    double garbageRate = args.bytesPerSecond("garbage-rate", "8MiB");
    double priceRate = args.number("price-rate", 2000);
    args.check();

    PluginRegistry registry = new PluginRegistry(readPlugin());
    registry.reload();
    RequestTraffic traffic = new RequestTraffic(garbageRate, 1024);
    Pace reloads = new Pace(reloadRate);
    Pace prices = new Pace(priceRate);
    SplittableRandom random = new SplittableRandom(13);
    String[] regions = {"de", "fr", "us-ca", "uk", "se", "pl"};
    ServiceLoop loop = ServiceLoop.start("pricing-host", "hot-reloads its pricing plugin "
        + reloadRate + " times/s and keeps every old class loader");
    long revenue = 0;
    while (loop.next()) {
      for (long n = reloads.due(); n > 0; n--) {
        registry.reload();
      }
      for (long n = prices.due(); n > 0; n--) {
        revenue += registry.price(random.nextInt(100_000) + ":" + (1 + random.nextInt(30)) + ":"
            + regions[random.nextInt(regions.length)]);
      }
      traffic.serveDue();
      long r = revenue;
      loop.status(() -> "plugin-versions=" + registry.versions() + " revenue=" + r
          + " requests=" + traffic.served());
    }
  }
}
