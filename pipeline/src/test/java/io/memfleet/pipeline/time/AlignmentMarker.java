package io.memfleet.pipeline.time;

import java.io.FileOutputStream;
import java.nio.file.Path;
import java.time.Instant;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Recording;

/**
 * The marker program of {@link AlignmentAccuracyIT}, run as its own JVM: each marker is a custom
 * JFR event begun right before a 7777-byte {@code write(2)} to /dev/null, which bpftrace sees at
 * syscall entry in CLOCK_MONOTONIC. Before each marker it prints a ClockSync-style sample, the
 * tightest of five {@code nanoTime}/{@code Instant.now}/{@code nanoTime} brackets
 * ({@code System.nanoTime} is CLOCK_MONOTONIC on Linux): {@code SYNC monotonicMid realtime width}.
 *
 * <p>Usage: {@code AlignmentMarker <recording.jfr> <markers>}; prints {@code READY <pid>}, waits
 * for a line on stdin (the probe is attached), emits the markers 50 ms apart, dumps the recording.
 */
public final class AlignmentMarker {
  /** Size of the marker write: what the probe filters on. */
  public static final int MARKER_BYTES = 7777;

  @Name("memfleet.Marker")
  @Label("memfleet alignment marker")
  static final class Marker extends Event {
    @Label("Sequence")
    int seq;
  }

  private AlignmentMarker() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    int markers = Integer.parseInt(args[1]);
    byte[] payload = new byte[MARKER_BYTES];
    try (Recording recording = new Recording();
        FileOutputStream devNull = new FileOutputStream("/dev/null")) {
      recording.enable(Marker.class);
      recording.start();
      System.out.println("READY " + ProcessHandle.current().pid());
      System.out.flush();
      if (System.in.read() < 0) {
        return;
      }
      for (int i = 0; i < markers; i++) {
        sync();
        Marker m = new Marker();
        m.begin();
        devNull.write(payload);
        m.seq = i;
        m.commit();
        Thread.sleep(50);
      }
      sync();
      recording.stop();
      recording.dump(out);
    }
    System.out.println("DONE");
  }

  private static void sync() {
    long width = Long.MAX_VALUE;
    long mono = 0;
    long realtime = 0;
    for (int k = 0; k < 5; k++) {
      long before = System.nanoTime();
      Instant now = Instant.now();
      long after = System.nanoTime();
      if (after - before < width) {
        width = after - before;
        mono = before + (after - before) / 2;
        realtime = now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }
    }
    System.out.println("SYNC " + mono + " " + realtime + " " + width);
  }
}
