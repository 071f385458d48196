package io.memfleet.collector.jfr;

import io.memfleet.collector.CollectorOptions;
import picocli.CommandLine.Option;

/**
 * What goes into memfleet's recording when a command starts one ({@code memfleet attach},
 * {@code memfleet jfr-flags}): the event groups and allocation throttle of {@link JfrSettings},
 * and the recording's bounds on disk ({@link MemfleetRecording}). A picocli mixin; every option
 * also has an environment variable.
 */
public final class RecordingOptions {
  @Option(names = "--events", paramLabel = "GROUPS", defaultValue = "${env:MEMFLEET_JFR_EVENTS}",
      description = "Event groups, '+'-separated: allocation, oldObjects, gc, heap, threads, rss"
          + " (MEMFLEET_JFR_EVENTS; default: all).")
  String events;

  @Option(names = "--throttle", paramLabel = "N/UNIT",
      defaultValue = "${env:MEMFLEET_JFR_THROTTLE:-100/s}",
      description = "jdk.ObjectAllocationSample throttle (MEMFLEET_JFR_THROTTLE;"
          + " default: ${DEFAULT-VALUE}).")
  String throttle;

  @Option(names = "--max-size", paramLabel = "SIZE",
      defaultValue = "${env:MEMFLEET_JFR_MAX_SIZE:-" + MemfleetRecording.DEFAULT_MAX_SIZE + "}",
      description = "Most disk the recording keeps in the JVM's repository; JFR drops the oldest"
          + " chunks beyond it (MEMFLEET_JFR_MAX_SIZE; default: ${DEFAULT-VALUE}).")
  String maxSize;

  @Option(names = "--max-age", paramLabel = "AGE",
      defaultValue = "${env:MEMFLEET_JFR_MAX_AGE:-" + MemfleetRecording.DEFAULT_MAX_AGE + "}",
      description = "Oldest data the recording keeps (MEMFLEET_JFR_MAX_AGE;"
          + " default: ${DEFAULT-VALUE}).")
  String maxAge;

  public RecordingOptions() {}

  /** JFR options for these settings, with the common collector options. */
  public JfrOptions jfrOptions(CollectorOptions common) {
    JfrOptions o = new JfrOptions(common);
    if (events != null && !events.isBlank()) {
      o.set("events", events);
    }
    if (throttle != null && !throttle.isBlank()) {
      o.set("throttle", throttle);
    }
    return o;
  }

  public MemfleetRecording recording() {
    return MemfleetRecording.bounded(maxSize, maxAge);
  }
}
