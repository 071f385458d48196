package io.memfleet.collector.node.internal;

import io.memfleet.collector.node.cgroup.MemoryPressure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The host's memory pressure ({@code /proc/pressure/memory}), read at most once per scan and
 * only when some process's cgroup has no PSI of its own (cgroup v1). A kernel without PSI (no
 * file, or {@code psi=0} on the command line: reads fail with EOPNOTSUPP) is asked once.
 * Not thread-safe: the scan thread uses it.
 */
final class HostPressure {
  private final Path file;
  private boolean unsupported;
  private boolean readThisScan;
  private Optional<MemoryPressure> value = Optional.empty();

  HostPressure(Path file) {
    this.file = file;
  }

  void startScan() {
    readThisScan = false;
  }

  Optional<MemoryPressure> read() {
    if (unsupported || readThisScan) {
      return value;
    }
    readThisScan = true;
    try {
      value = MemoryPressure.parse(Files.readString(file));
    } catch (NoSuchFileException e) {
      unsupported = true;
      value = Optional.empty();
    } catch (IOException e) {
      // EOPNOTSUPP when PSI is compiled in but disabled at boot: as good as absent
      unsupported = true;
      value = Optional.empty();
    }
    return value;
  }
}
