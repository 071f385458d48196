package io.memfleet.collector.ebpf.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ELF files mapped into traced processes, read once and shared by every process that maps
 * the same file: a host runs hundreds of processes over a few dozen libraries. A file is known by
 * its path, device and inode as {@code /proc/PID/maps} shows them, so two containers' different
 * {@code libc.so.6} are two files, and read through the process's root ({@code
 * /proc/PID/root/...}) so a container's files are found from the host. Debug symbols from
 * {@code /usr/lib/debug/.build-id} are added (see {@link ElfImage#readWithDebugSymbols}).
 *
 * <pre>{@code
 * ElfImages images = new ElfImages(64);
 * Optional<ElfImage> libc = images.image(Path.of("/proc/4242/root"), mapping);
 * }</pre>
 *
 * <p>Bounded: the {@code capacity} most recently used files stay cached (their code is mapped,
 * not copied; the symbol tables are on the heap). Thread-safe.
 */
public final class ElfImages {
  private final int capacity;
  private final AtomicLong unreadable = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final Map<FileKey, Optional<ElfImage>> cache;

  /** A file as maps shows it: two containers' files of one path differ in device or inode. */
  private record FileKey(String path, String device, long inode) {}

  public ElfImages(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<FileKey, Optional<ElfImage>> eldest) {
        return size() > ElfImages.this.capacity;
      }
    };
  }

  /**
   * The image of the file behind {@code mapping}, as seen from a process whose root directory is
   * {@code processRoot}; empty when it cannot be read or is not ELF (remembered, not retried).
   */
  public synchronized Optional<ElfImage> image(Path processRoot, ModuleMap.Mapping mapping) {
    FileKey key = new FileKey(mapping.path(), mapping.device(), mapping.inode());
    Optional<ElfImage> cached = cache.get(key);
    if (cached != null) {
      return cached;
    }
    Optional<ElfImage> read = read(processRoot, mapping.path());
    cache.put(key, read);
    return read;
  }

  private Optional<ElfImage> read(Path processRoot, String path) {
    reads.incrementAndGet();
    if (!path.startsWith("/")) {
      unreadable.incrementAndGet();
      return Optional.empty();
    }
    Path inRoot = processRoot.resolve(path.substring(1));
    try {
      Path file = Files.isReadable(inRoot) ? inRoot : Path.of(path);
      return Optional.of(ElfImage.readWithDebugSymbols(file, List.of(processRoot, Path.of("/"))));
    } catch (IOException | RuntimeException e) {
      unreadable.incrementAndGet();
      return Optional.empty();
    }
  }

  /** Files read so far (cache misses). */
  public long reads() {
    return reads.get();
  }

  /** Files that could not be read or parsed. */
  public long unreadable() {
    return unreadable.get();
  }
}
