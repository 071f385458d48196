package io.memfleet.probe;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/** The {@code memfleet.DirectBufferSite} events of a recording, as plain readings. */
record SiteSeries(List<Reading> readings) {
  record Reading(Instant time, List<String> frames, long outstandingBytes, long allocatedBytes,
      long liveSamples) {}

  static SiteSeries read(Path recording) throws IOException {
    return new SiteSeries(RecordingFile.readAllEvents(recording).stream()
        .filter(event -> event.getEventType().getName().equals("memfleet.DirectBufferSite"))
        .map(SiteSeries::reading)
        .sorted(java.util.Comparator.comparing(Reading::time))
        .toList());
  }

  /** The readings of the one site whose frames name {@code method}. */
  List<Reading> ofSiteCalling(String method) {
    List<Reading> site = readings.stream()
        .filter(r -> r.frames().stream().anyMatch(f -> f.contains("." + method + ":")))
        .toList();
    long stacks = site.stream().map(Reading::frames).distinct().count();
    if (stacks > 1) {
      throw new AssertionError(stacks + " sites call " + method + ": " + site);
    }
    return site;
  }

  private static Reading reading(RecordedEvent event) {
    return new Reading(event.getStartTime(), List.of(event.getString("frames").split("\n")),
        event.getLong("outstandingBytes"), event.getLong("allocatedBytes"),
        event.getLong("liveSamples"));
  }
}
