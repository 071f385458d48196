package io.memfleet.launcher.explain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Argument handling, before any ClickHouse is reached (the URL points nowhere). */
class ExplainCommandTest {
  @Test
  void digitsThatFitAPidAreAPidAnythingElseAnAlertId() {
    assertThat(ExplainCommand.pid("4242")).isEqualTo(4242L);
    assertThat(ExplainCommand.pid("4294967295")).isEqualTo(4294967295L);
    assertThat(ExplainCommand.pid("4294967296")).isNull();
    assertThat(ExplainCommand.pid("0123456789012345")).isNull();   // a hex alert id of digits
    assertThat(ExplainCommand.pid("3f9a61c07be2d415")).isNull();
    assertThat(ExplainCommand.pid("-1")).isNull();
  }

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new ExplainCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new String[] {String.valueOf(exit), out.toString(), err.toString()};
  }

  @Test
  void badArgumentsExitTwoWithTheReason() {
    String nowhere = "--clickhouse-url=http://127.0.0.1:9";
    String[] shortWindow = run("4242", "--window", "1m", nowhere);
    assertThat(shortWindow).startsWith("2", "");
    assertThat(shortWindow[2]).contains("--window must be between 2m and 30d");
    assertThat(run("4242", "--stacks", "0", nowhere)[2]).contains("--stacks must be between");
    String[] alertWithNode = run("3f9a61c07be2d415", "--node", "n1", nowhere);
    assertThat(alertWithNode[0]).isEqualTo("2");
    assertThat(alertWithNode[2]).contains("--node and --cluster choose among processes");
    String[] badDatabase = run("4242", "--database", "x; DROP TABLE y", nowhere);
    assertThat(badDatabase[0]).isEqualTo("2");
    assertThat(badDatabase[2]).contains("--database must be an identifier");
  }

  @Test
  void helpNamesTheArgumentAndTheOptions() {
    String[] help = run("--help");
    assertThat(help[0]).isEqualTo("0");
    assertThat(help[1]).contains("PID|ALERT_ID", "--window", "--node", "--cluster",
        "--clickhouse-url", "--password-env", "Exit codes");
  }

  @Test
  void anUnreachableServerIsExitOne() {
    String[] r = run("4242", "--clickhouse-url=http://127.0.0.1:9");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[2]).contains("explain failed on http://127.0.0.1:9");
  }
}
