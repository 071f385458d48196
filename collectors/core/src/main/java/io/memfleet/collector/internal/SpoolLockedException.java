package io.memfleet.collector.internal;

import java.io.IOException;
import java.nio.file.Path;

/** The spool directory is in use by another collector: each collector needs its own. */
public final class SpoolLockedException extends IOException {
  private final Path dir;

  SpoolLockedException(Path dir, String holder) {
    super("spool directory " + dir + " is in use by another collector (" + holder + "); give each"
        + " collector instance its own --spool-dir (MEMFLEET_SPOOL_DIR)");
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }
}
