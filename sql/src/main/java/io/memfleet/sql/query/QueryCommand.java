package io.memfleet.sql.query;

import com.clickhouse.data.ClickHouseFormat;
import io.memfleet.sql.ClickHouseConnection;
import io.memfleet.sql.ClickHouseOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code memfleet query}: the planners' questions from {@code sql/queries}. Without a name it
 * lists them with what they answer and their parameters; with a name it binds
 * {@code --param name=value} safely (see {@link QueryParameters}) and prints the answer.
 *
 * <pre>
 * memfleet query
 * memfleet query days_to_oom --param cluster=prod-eu --param from=now-2d
 * memfleet query top_memory_growth --format json --clickhouse-url http://ch:8123
 * </pre>
 *
 * Exit codes: 0 answered (or listed), 2 bad name or parameter, 1 the server failed.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = {"Answer a capacity planner's question with plain ClickHouse SQL from"
        + " sql/queries.", "Without NAME: list the questions, what they answer and their"
        + " parameters."})
public class QueryCommand implements Callable<Integer> {
  /** How the answer is printed. */
  public enum Format { table, tsv, json }

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME",
      description = "The query to run (see the list without NAME).")
  String name;

  @Option(names = {"-p", "--param"}, paramLabel = "NAME=VALUE",
      description = "A parameter value, repeatable. DateTime: 'YYYY-MM-DD hh:mm:ss', epoch"
          + " seconds or now-7d; Date: YYYY-MM-DD or today-30d.")
  List<String> params = new ArrayList<>();

  @Option(names = "--format", defaultValue = "table",
      description = "table (aligned text), tsv (TabSeparatedWithNames) or json (JSONEachRow);"
          + " default: ${DEFAULT-VALUE}.")
  Format format;

  @Option(names = "--show-sql",
      description = "Print the SQL with the parameters bound instead of running it.")
  boolean showSql;

  @Mixin ClickHouseOptions clickHouse;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Read the queries from this directory instead of the ones bundled in memfleet.")
  Path dir;

  /** For picocli and the launcher. */
  public QueryCommand() {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    QueryCatalog catalog = dir != null ? QueryCatalog.fromDirectory(dir) : QueryCatalog.bundled();
    if (name == null) {
      list(catalog, out);
      return 0;
    }
    PlannerQuery query = catalog.get(name).orElse(null);
    if (query == null) {
      err.println("no query named '" + name + "'; known: " + String.join(", ", catalog.names()));
      return 2;
    }
    Map<String, String> values;
    try {
      values = QueryParameters.parseAssignments(params);
      if (showSql) {
        out.println(QueryParameters.bind(query, values, clickHouse.database) + ";");
        out.flush();
        return 0;
      }
      QueryParameters.bind(query, values, clickHouse.database);   // reject bad input before connecting
    } catch (IllegalArgumentException e) {
      err.println(name + ": " + e.getMessage());
      return 2;
    }
    try (ClickHouseConnection ch = clickHouse.connect()) {
      QueryRunner runner = new QueryRunner(ch, clickHouse.database);
      switch (format) {
        case table -> out.print(runner.run(query, values).render());
        case tsv -> out.print(runner.runRaw(query, values, ClickHouseFormat.TabSeparatedWithNames));
        case json -> out.print(runner.runRaw(query, values, ClickHouseFormat.JSONEachRow));
      }
    } catch (io.memfleet.sql.ClickHouseException e) {
      err.println(name + " failed on " + clickHouse.url + ": " + e.getMessage());
      return 1;
    }
    out.flush();
    return 0;
  }

  private static void list(QueryCatalog catalog, PrintWriter out) {
    out.println("Planner queries (memfleet query NAME --param name=value …):");
    for (PlannerQuery q : catalog.all()) {
      out.println();
      out.println("  " + q.name());
      out.println("      " + q.answers());
      for (QueryParameter p : q.parameters()) {
        out.println("      --param " + p.signature() + " — " + p.description());
      }
    }
    out.flush();
  }
}
