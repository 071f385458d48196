package io.memfleet.collector.ebpf.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The production {@link StackScan.Resolver} for one process: a stack word is a return address
 * when it points into an executable file mapping of the process ({@code /proc/PID/maps}) right
 * after a call instruction in that file; its frame is named from the file's ELF symbols.
 * Files are read through {@code /proc/PID/root} (so a containerised process's binaries are
 * found) and cached, the 32 most recently used.
 *
 * <pre>{@code
 * ReturnAddresses resolver = new ReturnAddresses(pid, () -> ModuleMap.readOrEmpty(pid));
 * List<Frame> frames = StackScan.recover(walked, sp, words, resolver);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ReturnAddresses implements StackScan.Resolver {
  private static final int CACHED_FILES = 32;

  private final int pid;
  private final Supplier<ModuleMap> modules;
  private final AtomicLong unreadable = new AtomicLong();
  private final Map<String, Optional<ElfImage>> images =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<ElfImage>> eldest) {
          return size() > CACHED_FILES;
        }
      };

  /** {@code modules} gives the current mappings (the caller decides when to re-read them). */
  public ReturnAddresses(int pid, Supplier<ModuleMap> modules) {
    this.pid = pid;
    this.modules = modules;
  }

  @Override
  public Optional<String> moduleOf(long address) {
    return modules.get().find(address).map(ModuleMap.Mapping::path);
  }

  @Override
  public Optional<Frame> returnFrame(long word) {
    Optional<ModuleMap.Mapping> m = modules.get().find(word);
    if (m.isEmpty() || m.get().perms().indexOf('x') < 0) {
      return Optional.empty();
    }
    ModuleMap.Mapping mapping = m.get();
    Optional<ElfImage> image = image(mapping.path());
    long fileOffset = word - mapping.start() + mapping.offset();
    if (image.isEmpty() || !image.get().followsCall(fileOffset)) {
      return Optional.empty();
    }
    // the symbol of the call instruction, not of whatever follows a call at a function's end
    String symbol = image.get().symbolAtOffset(fileOffset - 1).orElse(null);
    return Optional.of(new Frame(word, symbol, mapping.path()));
  }

  /** Files that could not be read or parsed (their words are never taken for frames). */
  public long unreadableFiles() {
    return unreadable.get();
  }

  private synchronized Optional<ElfImage> image(String path) {
    return images.computeIfAbsent(path, p -> {
      Path inRoot = Path.of("/proc", Integer.toString(pid), "root", p.substring(1));
      try {
        return Optional.of(ElfImage.read(Files.isReadable(inRoot) ? inRoot : Path.of(p)));
      } catch (IOException | RuntimeException e) {
        unreadable.incrementAndGet();
        return Optional.empty();
      }
    });
  }
}
