package io.memfleet.launcher;

import io.memfleet.localstack.ChildProcess;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code memfleet status}: which local servers run, with pid and endpoint, and what reached
 * ClickHouse — events of the last 5 minutes, events that came too late for an aggregate window
 * ({@code late_events}) and rows the server refused ({@code sink_rejects}), so that neither is
 * silent; exit 3 if not every server runs.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show which parts of the local stack are running, and what reached ClickHouse:"
        + " events of the last 5 minutes, events too late for their aggregate window (kept in"
        + " late_events) and rows ClickHouse refused (kept in sink_rejects).",
        "Exit code 0 when every part runs, 3 otherwise."})
final class StatusCommand implements Callable<Integer> {
  @Mixin StackOptions stack;

  @Override
  public Integer call() {
    boolean kafka = show("Kafka broker", stack.kafka().running(), stack.kafkaBootstrap());
    boolean clickHouse = show("ClickHouse server", stack.clickHouse().running(),
        stack.clickHouseUrl());
    LocalFleet fleet = new LocalFleet(stack.home);
    boolean all = kafka && clickHouse;
    if (clickHouse) {
      System.out.printf("%-18s %s%n", "data", dataLine());
    }
    try {
      for (String name : fleet.known()) {
        all &= show(name, fleet.running(name), "log " + fleet.logOf(name));
      }
    } catch (java.io.IOException e) {
      System.out.println("cannot list background services: " + e.getMessage());
      all = false;
    }
    return all ? 0 : 3;
  }

  /** One line on what reached the database; says why when it cannot be read. */
  private String dataLine() {
    String db = stack.database;
    try (ClickHouseConnection ch = ClickHouseConnection.builder(stack.clickHouseUrl())
        .timeoutSeconds(10).build()) {
      List<String> n = ch.queryTsv("SELECT"
          + " (SELECT count() FROM " + db + ".events_raw WHERE event_date >= yesterday()"
          + "   AND utc_ns >= (toInt64(now()) - 300) * 1000000000),"
          + " (SELECT count() FROM " + db + ".late_events WHERE detected_at >= now() - 3600),"
          + " (SELECT count() FROM " + db + ".late_events),"
          + " (SELECT count() FROM " + db + ".sink_rejects)").get(0);
      return "events in the last 5 min " + n.get(0) + "; late for their aggregate window "
          + n.get(1) + " in the last hour, " + n.get(2) + " in all (" + db + ".late_events);"
          + " rows ClickHouse refused " + n.get(3) + " (" + db + ".sink_rejects)";
    } catch (ClickHouseException | RuntimeException e) {
      return "cannot read database " + db + " (not migrated yet? ./memfleet migrate): "
          + e.getMessage();
    }
  }

  private static boolean show(String what, Optional<ChildProcess> p, String endpoint) {
    System.out.printf("%-18s %s%n", what, p.map(c -> "running, pid " + c.pid() + ", " + endpoint)
        .orElse("not running"));
    return p.isPresent();
  }
}
