package io.memfleet.launcher;

import java.io.PrintStream;

/** Numbered steps with their duration, so a long start-up shows where it is. */
final class Progress {
  private final PrintStream out;
  private final int steps;
  private int step;
  private long startedNanos;

  Progress(PrintStream out, int steps) {
    this.out = out;
    this.steps = steps;
  }

  void begin(String what) {
    step++;
    startedNanos = System.nanoTime();
    out.printf("[%d/%d] %s ...%n", step, steps, what);
    out.flush();
  }

  void done(String result) {
    out.printf("      %s (%.1f s)%n", result, (System.nanoTime() - startedNanos) / 1e9);
    out.flush();
  }

  void detail(String line) {
    out.println("      " + line);
    out.flush();
  }
}
