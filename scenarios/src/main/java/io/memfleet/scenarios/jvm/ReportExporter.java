package io.memfleet.scenarios.jvm;

import io.memfleet.scenarios.jvm.support.Args;
import io.memfleet.scenarios.jvm.support.Pace;
import io.memfleet.scenarios.jvm.support.RequestTraffic;
import io.memfleet.scenarios.jvm.support.ServiceLoop;
import java.util.ArrayList;
import java.util.List;

/**
 * Report exporter that buffers the whole report before writing it: rows stream in from a query
 * that never completes, every {@link ReportRow} (4 KiB of cells by default, allocated by the
 * row) is kept for the final write, and the JVM dies of {@code OutOfMemoryError: Java heap
 * space}, which ends {@code main}. Scenario {@code jvm-oome} (run with {@code -Xmx128m}).
 *
 * <pre>
 * java -Xmx128m -cp memfleet-scenarios.jar io.memfleet.scenarios.jvm.ReportExporter \
 *      --leak-rate 2MiB --row-bytes 4KiB --garbage-rate 8MiB
 * </pre>
 */
public final class ReportExporter {
  private ReportExporter() {}

  /** One result row; its cells are the leak. */
  static final class ReportRow {
    final long rowNumber;
    final char[] cells;

    ReportRow(long rowNumber, int bytes) {
      this.rowNumber = rowNumber;
      this.cells = new char[bytes / Character.BYTES];
      for (int i = 0; i < cells.length; i += 32) {
        cells[i] = (char) ('a' + (rowNumber + i) % 26);
      }
    }
  }

  public static void main(String[] argv) throws InterruptedException {
    Args args = new Args("report-exporter", argv);
    double leakRate = args.bytesPerSecond("leak-rate", "2MiB");
    int rowBytes = (int) args.bytes("row-bytes", "4KiB");
    double garbageRate = args.bytesPerSecond("garbage-rate", "8MiB");
    args.check();

    List<ReportRow> pending = new ArrayList<>();
    RequestTraffic traffic = new RequestTraffic(garbageRate, 1024);
    Pace rows = Pace.ofBytes(leakRate, rowBytes);
    ServiceLoop loop = ServiceLoop.start("report-exporter", "buffers a report that never"
        + " completes until OutOfMemoryError, leak " + ServiceLoop.mib(leakRate) + "/s, max heap "
        + ServiceLoop.mib(Runtime.getRuntime().maxMemory()));
    long row = 0;
    // an OutOfMemoryError propagates out of main: the JVM exits as a real exporter would
    while (loop.next()) {
      for (long n = rows.due(); n > 0; n--) {
        pending.add(new ReportRow(row++, rowBytes));
      }
      traffic.serveDue();
      loop.status(() -> "rows=" + pending.size() + " retained="
          + ServiceLoop.mib((double) pending.size() * rowBytes) + " requests="
          + traffic.served());
    }
  }
}
