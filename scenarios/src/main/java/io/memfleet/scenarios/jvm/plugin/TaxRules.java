package io.memfleet.scenarios.jvm.plugin;

import java.util.Map;

/** Sales tax by region of the pricing plugin. */
public final class TaxRules {
  private static final Map<String, Integer> BASIS_POINTS = Map.ofEntries(
      Map.entry("de", 1900), Map.entry("fr", 2000), Map.entry("it", 2200),
      Map.entry("es", 2100), Map.entry("nl", 2100), Map.entry("se", 2500),
      Map.entry("pl", 2300), Map.entry("at", 2000), Map.entry("be", 2100),
      Map.entry("dk", 2500), Map.entry("fi", 2400), Map.entry("ie", 2300),
      Map.entry("pt", 2300), Map.entry("cz", 2100), Map.entry("hu", 2700),
      Map.entry("us-ca", 725), Map.entry("us-ny", 400), Map.entry("us-tx", 625),
      Map.entry("uk", 2000), Map.entry("ch", 810));

  long tax(String region, long net) {
    return net * BASIS_POINTS.getOrDefault(region, 0) / 10_000;
  }
}
