package io.memfleet.scenarios.jvm.plugin;

/** Volume and promotion discounts of the pricing plugin. */
public final class DiscountTable {
  private final int[] volumeSteps = {1, 5, 10, 25, 50, 100, 250, 1000};
  private final int[] volumePercent = {0, 2, 4, 6, 8, 10, 12, 15};

  long discount(int sku, int quantity, long gross) {
    int percent = 0;
    for (int i = 0; i < volumeSteps.length; i++) {
      if (quantity >= volumeSteps[i]) {
        percent = volumePercent[i];
      }
    }
    percent += promotion(sku);
    return gross * Math.min(percent, 40) / 100;
  }

  static int promotion(int sku) {
    if (sku % 97 == 0) {
      return 20;
    }
    if (sku % 13 == 0) {
      return 5;
    }
    return seasonal(sku % 12);
  }

  static int seasonal(int month) {
    return switch (month) {
      case 0, 11 -> 10;
      case 5, 6, 7 -> 3;
      default -> 0;
    };
  }
}
