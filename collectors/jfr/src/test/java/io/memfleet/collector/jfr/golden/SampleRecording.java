package io.memfleet.collector.jfr.golden;

import io.memfleet.collector.CollectorOptions;
import io.memfleet.collector.jfr.JfrOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;

/**
 * Produces {@code src/test/resources/jfr/leaky-sample.jfr}, the real recording the mapper's golden
 * test reads. Run once on a real JVM and check the file in:
 *
 * <pre>
 * java -Xmx64m -XX:+UseG1GC -cp target/test-classes:target/classes:$(cat cp.txt) \
 *      io.memfleet.collector.jfr.golden.SampleRecording src/test/resources/jfr/leaky-sample.jfr
 * </pre>
 *
 * <p>It records our default event settings (throttled to keep the file small) while a small leak
 * grows and System.gc() runs three times.
 */
public final class SampleRecording {
  private static final List<byte[]> LEAK = new ArrayList<>();

  private SampleRecording() {}

  public static void main(String[] args) throws Exception {
    JfrOptions options = new JfrOptions(new CollectorOptions());
    options.set("throttle", "20/s");
    options.set("threadPeriod", "500ms");
    var available = new java.util.HashSet<String>();
    FlightRecorder.getFlightRecorder().getEventTypes().forEach(t -> available.add(t.getName()));
    try (Recording r = new Recording(options.jfrSettings(available))) {
      r.start();
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 200; i++) {
          LEAK.add(new byte[8 * 1024]);
          Thread.sleep(2);
        }
        System.gc();
      }
      Thread.sleep(600);
      r.stop();
      r.dump(Path.of(args[0]));
    }
  }
}
