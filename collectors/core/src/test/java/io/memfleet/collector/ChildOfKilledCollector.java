package io.memfleet.collector;

import java.util.List;

/**
 * A collector-like process for {@link ChildCommandsIT}: starts {@code sleep 600} the way the
 * collectors start bpftrace, prints the child's pid, and waits (on the starting thread, as the
 * collectors' reader threads do) to be killed.
 */
public final class ChildOfKilledCollector {
  private ChildOfKilledCollector() {}

  public static void main(String[] args) throws Exception {
    Process child = new ProcessBuilder(
        ChildCommands.endingWithThisProcess(List.of("sleep", "600"))).start();
    System.out.println("child " + child.pid());
    System.out.flush();
    child.waitFor();
  }
}
