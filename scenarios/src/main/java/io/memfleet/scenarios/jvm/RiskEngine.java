package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.SplittableRandom;

/**
 * Risk engine deployed with a heap too small for its book: it keeps about 140 MiB of positions
 * (each with its scenario vector) in a 160 MiB heap and revalues them continuously, replacing
 * positions with fresh ones. Nothing leaks — the book's size is constant — but the collector
 * runs almost all the time to find the little free space there is. Scenario
 * {@code jvm-gc-thrashing} (run with {@code -Xmx160m}).
 *
 * <pre>
 * java -Xmx160m -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.RiskEngine \
 *      --book-bytes 140MiB --revalue-rate 24MiB
 * </pre>
 */
public final class RiskEngine {
  private static final int VECTOR_DOUBLES = 128; // 1 KiB scenario vector per position

  private RiskEngine() {}

  /** A position and its valuation under each market scenario. */
  static final class Position {
    final long instrument;
    final double notional;
    final double[] scenarioValues = new double[VECTOR_DOUBLES];

    Position(long instrument, double notional) {
      this.instrument = instrument;
      this.notional = notional;
      for (int i = 0; i < VECTOR_DOUBLES; i++) {
        scenarioValues[i] = notional * (1 + (i - 64) / 1000.0);
      }
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("risk-engine", argv);
    long bookBytes = args.bytes("book-bytes", "140MiB");
    double revalueRate = args.bytesPerSecond("revalue-rate", "24MiB");
    args.check();

    // per position: the vector (16 + 1024 bytes) plus the Position object (~32 bytes)
    int positions = (int) (bookBytes / (VECTOR_DOUBLES * 8 + 48));
    Position[] book = new Position[positions];
    SplittableRandom random = new SplittableRandom(31);
    for (int i = 0; i < positions; i++) {
      book[i] = new Position(i, 1_000 + random.nextInt(1_000_000));
    }
    Pace revaluations = Pace.ofBytes(revalueRate, VECTOR_DOUBLES * 8 + 48);
    ServiceLoop loop = ServiceLoop.start("risk-engine", positions + " positions (~"
        + ServiceLoop.mib(bookBytes) + ") in a " + ServiceLoop.mib(Runtime.getRuntime()
        .maxMemory()) + " heap, revaluing " + ServiceLoop.mib(revalueRate) + "/s");
    double exposure = 0;
    long revalued = 0;
    while (loop.next()) {
      for (long n = revaluations.due(); n > 0; n--) {
        int i = random.nextInt(positions);
        Position old = book[i];
        book[i] = new Position(old.instrument, old.notional * (0.99 + random.nextDouble() / 50));
        exposure += book[i].scenarioValues[random.nextInt(VECTOR_DOUBLES)];
        revalued++;
      }
      double e = exposure;
      long r = revalued;
      loop.status(() -> "positions=" + positions + " revalued=" + r + " exposure="
          + (long) e);
    }
  }
}
