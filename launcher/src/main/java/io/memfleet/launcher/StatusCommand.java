package io.memfleet.launcher;

import io.memfleet.localstack.ChildProcess;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code memfleet status}: which local servers run, with pid and endpoint; exit 3 if not all. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show which parts of the local stack are running. Exit code 0 when all are, 3"
        + " otherwise.")
final class StatusCommand implements Callable<Integer> {
  @Mixin StackOptions stack;

  @Override
  public Integer call() {
    boolean kafka = show("Kafka broker", stack.kafka().running(), stack.kafkaBootstrap());
    boolean clickHouse = show("ClickHouse server", stack.clickHouse().running(),
        stack.clickHouseUrl());
    LocalFleet fleet = new LocalFleet(stack.home);
    boolean all = kafka && clickHouse;
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

  private static boolean show(String what, Optional<ChildProcess> p, String endpoint) {
    System.out.printf("%-18s %s%n", what, p.map(c -> "running, pid " + c.pid() + ", " + endpoint)
        .orElse("not running"));
    return p.isPresent();
  }
}
