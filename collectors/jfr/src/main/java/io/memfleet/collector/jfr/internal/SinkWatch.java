package io.memfleet.collector.jfr.internal;

import io.memfleet.collector.SinkStats;

/** Turns sink statistics into once-per-episode messages (Kafka down, back, spool full). */
public final class SinkWatch {
  private final AgentLog log;
  private final String bootstrap;
  private final String spoolDir;
  private boolean down;

  public SinkWatch(AgentLog log, String bootstrap, String spoolDir) {
    this.log = log;
    this.bootstrap = bootstrap;
    this.spoolDir = spoolDir;
  }

  public void check(SinkStats s) {
    if (!s.brokerReachable() && !down) {
      down = true;
      log.reset("kafka-up");
      log.once("kafka-down", "Kafka at " + bootstrap + " unreachable; spooling events to "
          + spoolDir + " (the application is not affected)");
    } else if (s.brokerReachable() && down) {
      down = false;
      log.reset("kafka-down");
      log.once("kafka-up", "Kafka at " + bootstrap + " reachable again; " + s.replayed()
          + " spooled events replayed so far");
    }
    s.droppedByReason().forEach((reason, n) -> log.once("drop:" + reason,
        "dropping events (" + reason + "): " + n + " so far; see SinkStats"));
  }
}
