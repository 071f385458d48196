package io.memfleet.scenarios.jvm.plugin;

import java.util.function.ToLongFunction;

/**
 * The plugin {@link io.memfleet.scenarios.jvm.PluginHost} reloads: prices an order line given
 * as {@code "sku:quantity:region"} in cents. Loaded from its class file into a fresh class loader
 * on every reload, together with {@link DiscountTable} and {@link TaxRules}.
 */
public final class PricingRules implements ToLongFunction<String> {
  private final DiscountTable discounts = new DiscountTable();
  private final TaxRules taxes = new TaxRules();

  @Override
  public long applyAsLong(String line) {
    String[] parts = line.split(":");
    int sku = Integer.parseInt(parts[0]);
    int quantity = Integer.parseInt(parts[1]);
    String region = parts[2];
    long unit = listPrice(sku);
    long gross = unit * quantity;
    long net = gross - discounts.discount(sku, quantity, gross);
    return net + taxes.tax(region, net);
  }

  static long listPrice(int sku) {
    return switch (sku % 16) {
      case 0 -> 199;
      case 1 -> 249;
      case 2 -> 999;
      case 3 -> 1299;
      case 4 -> 4999;
      case 5 -> 79;
      case 6 -> 129;
      case 7 -> 2599;
      case 8 -> 349;
      case 9 -> 1899;
      case 10 -> 5999;
      case 11 -> 699;
      case 12 -> 899;
      case 13 -> 149;
      case 14 -> 11999;
      default -> 459;
    } + (sku / 16) % 50;
  }

  public String describe(int sku) {
    return "sku " + sku + " list " + listPrice(sku) + " category " + category(sku);
  }

  static String category(int sku) {
    return switch (sku % 8) {
      case 0 -> "books";
      case 1 -> "garden";
      case 2 -> "electronics";
      case 3 -> "kitchen";
      case 4 -> "toys";
      case 5 -> "sports";
      case 6 -> "office";
      default -> "grocery";
    };
  }
}
