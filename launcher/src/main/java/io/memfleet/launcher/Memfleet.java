package io.memfleet.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code memfleet} command. The {@code ./memfleet} script at the repository root builds the
 * project when needed and runs this class.
 *
 * <pre>
 * ./memfleet up          start the local stack (Kafka, ClickHouse), topics, migrations
 * ./memfleet status      what runs and where
 * ./memfleet migrate     apply migrations to any ClickHouse (production too)
 * ./memfleet down        stop what up started
 * </pre>
 */
@Command(name = "memfleet", mixinStandardHelpOptions = true, version = "memfleet 0.1.0",
    description = "Fleet-wide memory-leak detection and OOM forensics for JVM, Go and native"
        + " processes.",
    subcommands = {UpCommand.class, DownCommand.class, StatusCommand.class, WatchCommand.class,
        AlertsCommand.class, io.memfleet.sql.query.QueryCommand.class, MigrateCommand.class,
        io.memfleet.launcher.explain.ExplainCommand.class,
        io.memfleet.pipeline.PipelineCommand.class, io.memfleet.collector.node.CollectCommand.class,
        io.memfleet.collector.ebpf.EbpfCommand.class, io.memfleet.collector.jfr.JfrRemoteCommand.class,
        io.memfleet.collector.jfr.AttachCommand.class, io.memfleet.collector.jfr.DetachCommand.class,
        io.memfleet.collector.jfr.JfrFlagsCommand.class, RecordCommand.class, ReplayCommand.class,
        EvalCommand.class, ClockCheckCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Two more commands belong to the ./memfleet script itself:",
        "  test    install the Debian packages the tests need, then run the whole suite",
        "  build   build memfleet (done automatically when sources changed)",
        "", "Every option can also be set through the environment variable shown in its"
        + " description.", "Run `memfleet COMMAND --help` for the options of one command."})
public final class Memfleet implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Memfleet());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("memfleet: " + e.getMessage());
      if (System.getenv("MEMFLEET_DEBUG") != null) {
        e.printStackTrace(commandLine.getErr());
      } else {
        commandLine.getErr().println("(set MEMFLEET_DEBUG=1 for the stack trace)");
      }
      return 1;
    });
    return cli;
  }
}
