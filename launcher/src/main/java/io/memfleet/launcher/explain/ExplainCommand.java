package io.memfleet.launcher.explain;

import io.memfleet.launcher.DurationConverter;
import io.memfleet.launcher.explain.Explanation.ProcessRef;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseException;
import io.memfleet.sql.ClickHouseOptions;
import io.memfleet.sql.query.QueryParameterException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code memfleet explain PID|ALERT_ID}: what one process's memory is made of and what grows,
 * read from ClickHouse.
 *
 * <pre>
 * memfleet explain 4242                         the newest process with pid 4242 (last 24 h)
 * memfleet explain 4242 --node ip-10-0-3-7      that pid on that node
 * memfleet explain 3f9a61c07be2d415 --window 2h the process of that alert, trends over 2 h
 * </pre>
 *
 * An argument of digits that fits a pid (at most 4294967295) is a pid; anything else is an alert
 * id. Exit codes: 0 explained, 1 ClickHouse failed, 2 bad arguments, 3 no such process or alert.
 */
@Command(name = "explain", mixinStandardHelpOptions = true,
    description = {"Explain one process's memory from ClickHouse: the breakdown now (each pool in"
        + " MiB and as a share of RSS), each pool's trend over --window, the pool that grows the"
        + " most, the process's open alerts with their pool, verdict and culprit, and its top"
        + " allocation stacks, and the newest calibration of each clock of its host.",
        "PID: the newest process with that pid in the last 24 h (--node/--cluster choose among"
        + " several). ALERT_ID: the process the alert is about.",
        "Exit codes: 0 explained, 1 ClickHouse failed, 2 bad arguments, 3 no such process or"
        + " alert."})
public final class ExplainCommand implements Callable<Integer> {
  static final int NOT_FOUND = 3;
  private static final long MAX_PID = 4_294_967_295L;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PID|ALERT_ID",
      description = "A process id, or the id of an alert (as `memfleet alerts` and the alerts"
          + " topic show it).")
  String target;

  @Option(names = "--node", paramLabel = "NODE",
      description = "Only the process with the pid on this node.")
  String node;

  @Option(names = "--cluster", paramLabel = "CLUSTER",
      description = "Only the process with the pid in this cluster.")
  String cluster;

  @Option(names = "--window", defaultValue = "30m", converter = DurationConverter.class,
      description = "How far back from the process's newest minute the trends reach (2m to 30d;"
          + " default: ${DEFAULT-VALUE}).")
  Duration window;

  @Option(names = "--stacks", defaultValue = "5",
      description = "How many allocation stacks to show (1 to 50; default: ${DEFAULT-VALUE}).")
  int stackLimit;

  @Mixin
  ClickHouseOptions clickHouse;

  /** For picocli and the launcher. */
  public ExplainCommand() {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Long pid = pid(target);
    String problem = window.compareTo(Duration.ofMinutes(2)) < 0
        || window.compareTo(Duration.ofDays(30)) > 0 ? "--window must be between 2m and 30d"
        : stackLimit < 1 || stackLimit > 50 ? "--stacks must be between 1 and 50"
        : pid == null && (node != null || cluster != null)
            ? "--node and --cluster choose among processes with a pid; an alert names its process"
        : null;
    if (problem != null) {
      err.println("explain: " + problem);
      err.flush();
      return 2;
    }
    try (ClickHouseConnection ch = clickHouse.connect()) {
      ExplainQueries queries = new ExplainQueries(ch, clickHouse.database);
      List<String> notes = new ArrayList<>();
      Optional<ProcessRef> process = pid != null ? byPid(queries, pid, notes, err)
          : byAlert(queries, target, err);
      if (process.isEmpty()) {
        err.flush();
        return NOT_FOUND;
      }
      ProcessRef p = process.get();
      Explanation e = new Explanation(p, window, queries.samples(p, window),
          queries.alerts(p, pid == null ? target : null), queries.stacks(p, window, stackLimit),
          notes, queries.clocks(p));
      out.print(ExplainReport.render(e));
      out.flush();
      return 0;
    } catch (IllegalArgumentException e) {   // a bad --database, a value no literal can hold
      err.println("explain: " + e.getMessage());
      err.flush();
      return 2;
    } catch (ClickHouseException e) {
      err.println("explain failed on " + clickHouse.url + ": " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  /** The pid {@code target} names, or null when it is an alert id. */
  static Long pid(String target) {
    if (!target.matches("[0-9]{1,10}")) {
      return null;
    }
    long v = Long.parseLong(target);
    return v <= MAX_PID ? v : null;
  }

  private Optional<ProcessRef> byPid(ExplainQueries queries, long pid, List<String> notes,
      PrintWriter err) throws ClickHouseException {
    List<ProcessRef> found = queries.processesWithPid(pid, cluster, node);
    if (found.isEmpty()) {
      err.println("no process with pid " + pid + (node == null ? "" : " on node " + node)
          + (cluster == null ? "" : " in cluster " + cluster) + " in the last "
          + ExplainQueries.PID_LOOKBACK.toHours() + " h (table process_memory_1m of "
          + clickHouse.database + " at " + clickHouse.url + ")");
      return Optional.empty();
    }
    for (ProcessRef other : found.subList(1, found.size())) {
      notes.add("pid " + pid + " was also " + (other.comm().isEmpty() ? "a process" : other.comm())
          + " on node " + other.node() + " in cluster " + other.cluster() + ", started "
          + ExplainReport.time(other.processStartMs() / 1000) + ", last seen "
          + ExplainReport.time(other.lastWindowEpochSecond()) + " (--node/--cluster to choose it)");
    }
    return Optional.of(found.get(0));
  }

  private Optional<ProcessRef> byAlert(ExplainQueries queries, String alertId, PrintWriter err)
      throws ClickHouseException {
    Optional<ProcessRef> p;
    try {
      p = queries.processOfAlert(alertId);
    } catch (QueryParameterException e) {
      throw new IllegalArgumentException("not a pid or an alert id: " + e.getMessage());
    }
    if (p.isEmpty()) {
      err.println("no alert with id " + alertId + " (table alerts of " + clickHouse.database
          + " at " + clickHouse.url + "), and not a pid");
      return Optional.empty();
    }
    if (p.get().lastWindowEpochSecond() < 0) {
      ProcessRef r = p.get();
      err.println("alert " + alertId + " is about pid " + r.pid() + " on node " + r.node()
          + " in cluster " + r.cluster() + ", but process_memory_1m has no rows for that process"
          + " (expired, or the pipeline never aggregated it)");
      return Optional.empty();
    }
    return p;
  }
}
