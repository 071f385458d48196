package io.memfleet.collector.ebpf.stack;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The production {@link StackScan.Resolver} for one process: a stack word is a return address
 * when it points into an executable file mapping of the process ({@code /proc/PID/maps}) right
 * after a call instruction in that file; its frame is named from the file's ELF symbols.
 * Files come from an {@link ElfImages} cache, read through the process's root directory (so a
 * containerised process's binaries are found).
 *
 * <pre>{@code
 * ReturnAddresses resolver = new ReturnAddresses(Path.of("/proc/4242/root"),
 *     () -> ModuleMap.readOrEmpty(4242), images);
 * List<Frame> frames = StackScan.recover(walked, sp, words, resolver);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ReturnAddresses implements StackScan.Resolver {
  private final Path root;
  private final Supplier<ModuleMap> modules;
  private final ElfImages images;

  /** For process {@code pid} under {@code /proc}, with a cache of its own (32 files). */
  public ReturnAddresses(int pid, Supplier<ModuleMap> modules) {
    this(Path.of("/proc", Integer.toString(pid), "root"), modules, new ElfImages(32));
  }

  /**
   * {@code root} is the process's root directory ({@code PROC_ROOT/PID/root}); {@code modules}
   * gives its current mappings (the caller decides when to re-read them).
   */
  public ReturnAddresses(Path root, Supplier<ModuleMap> modules, ElfImages images) {
    this.root = root;
    this.modules = modules;
    this.images = images;
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
    Optional<ElfImage> image = images.image(root, mapping);
    long fileOffset = word - mapping.start() + mapping.offset();
    if (image.isEmpty() || !image.get().followsCall(fileOffset)) {
      return Optional.empty();
    }
    // the symbol of the call instruction, not of whatever follows a call at a function's end
    String symbol = image.get().symbolAtOffset(fileOffset - 1).orElse(null);
    return Optional.of(new Frame(word, symbol, mapping.path()));
  }

  @Override
  public Optional<String> symbolAt(long address) {
    Optional<ModuleMap.Mapping> m = modules.get().find(address);
    if (m.isEmpty() || m.get().perms().indexOf('x') < 0) {
      return Optional.empty();
    }
    ModuleMap.Mapping mapping = m.get();
    return images.image(root, mapping)
        .flatMap(i -> i.symbolAtOffset(address - mapping.start() + mapping.offset()));
  }

  @Override
  public boolean isProbeTrampoline(long word) {
    return modules.get().isUprobeTrampoline(word);
  }

  /** Files that could not be read or parsed (their words are never taken for frames). */
  public long unreadableFiles() {
    return images.unreadable();
  }
}
