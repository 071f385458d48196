package io.memfleet.collector.internal;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Taking over the spools dead collectors left: directories beside a collector's own that no
 * running collector holds (an instance directory whose collector was killed, the spool of a JVM
 * that died). Their records are appended to the new collector's spool, oldest first, and what
 * they lost is counted there ({@link DiskSpool#lostOnKillOnOpen()},
 * {@link DiskSpool#corruptTailsOnOpen()}, {@link DiskSpool#adoptionOverflow()}); then their files
 * are removed. A directory a running collector holds is left alone (its lock says so).
 *
 * <pre>{@code
 * DiskSpool mine = DiskSpool.open(base.resolve("0"), maxBytes);
 * OrphanSpools.adoptAll(mine, base);   // before the sender starts replaying
 * }</pre>
 */
public final class OrphanSpools {
  private static final Logger LOG = LoggerFactory.getLogger(OrphanSpools.class);

  private OrphanSpools() {}

  /**
   * Takes over every spool under {@code base} but {@code target}'s own — and {@code base} itself
   * when it holds a spool of the layout before one directory per instance. Failures are logged;
   * the directories stay for a later collector.
   */
  public static void adoptAll(DiskSpool target, Path base) {
    if (!Files.isDirectory(base)) {
      return;
    }
    List<Path> candidates = new ArrayList<>();
    if (Files.exists(base.resolve("cursor"))) {
      candidates.add(base);
    }
    Path own = target.dir().toAbsolutePath().normalize();
    try (Stream<Path> dirs = Files.list(base)) {
      candidates.addAll(dirs.filter(Files::isDirectory)
          .filter(d -> !d.toAbsolutePath().normalize().equals(own))
          .filter(d -> Files.exists(d.resolve("lock")) || Files.exists(d.resolve("cursor")))
          .sorted().toList());
    } catch (IOException e) {
      LOG.warn("cannot list {} for spools left by dead collectors: {}", base, e.toString());
      return;
    }
    for (Path dir : candidates) {
      try {
        long before = target.size();
        if (adopt(target, dir)) {
          LOG.info("took over the spool of a dead collector in {}: {} records", dir,
              target.size() - before);
        }
      } catch (IOException e) {
        LOG.warn("cannot take over the spool in {}: {}", dir, e.toString());
      }
    }
  }

  /**
   * Takes over the spool in {@code orphanDir}.
   *
   * @return false, doing nothing, while a running collector holds {@code orphanDir}
   */
  public static boolean adopt(DiskSpool target, Path orphanDir) throws IOException {
    DiskSpool orphan;
    try {
      orphan = DiskSpool.open(orphanDir, 1024L * 1024 * 1024);
    } catch (SpoolLockedException alive) {
      return false;
    }
    long corrupt = orphan.corruptTailsOnOpen();
    long overflow = 0;
    try {
      while (!orphan.isEmpty()) {
        List<DiskSpool.Entry> batch;
        try {
          batch = orphan.peek(512);
        } catch (IOException damaged) {
          long lost = orphan.discardHead();
          corrupt += lost > 0 ? lost : orphan.clear();
          continue;
        }
        for (DiskSpool.Entry e : batch) {
          if (!target.append(e)) {
            overflow++;
          }
        }
        orphan.remove(batch);
      }
    } finally {
      target.countAdopted(orphan.lostOnKillOnOpen(), corrupt, overflow);
      orphan.close();
    }
    for (String file : List.of("cursor", "cursor.tmp", "inflight", "lock")) {
      Files.deleteIfExists(orphanDir.resolve(file));
    }
    try {
      Files.deleteIfExists(orphanDir);
    } catch (DirectoryNotEmptyException keptByHand) {
      // files of someone else's: leave the directory
    }
    return true;
  }
}
