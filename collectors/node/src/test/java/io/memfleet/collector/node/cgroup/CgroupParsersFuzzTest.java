package io.memfleet.collector.node.cgroup;

import io.memfleet.collector.node.procfs.ProcCgroups;
import io.memfleet.fuzz.Bounded;
import io.memfleet.fuzz.Mutations;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzes the cgroup parsers with mutations of the golden v1/v2 files and of mountinfo: single
 * values throw only {@link NumberFormatException}, keyed files and mountinfo never throw, and a
 * mount resolves any cgroup path {@code /proc/PID/cgroup} may name without throwing.
 */
class CgroupParsersFuzzTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  @Property
  void singleValuesThrowOnlyNumberFormatException(@ForAll("files") String text)
      throws Exception {
    try {
      Bounded.call(() -> CgroupFiles.parseLimit(text), text.length());
    } catch (NumberFormatException documented) {
      // not a number: the reader skips the cgroup this scan
    }
    try {
      Bounded.call(() -> CgroupFiles.parseBytes(text), text.length());
    } catch (NumberFormatException documented) {
      // same
    }
  }

  @Property
  void flatKeyedNeverThrows(@ForAll("files") String text) throws Exception {
    Bounded.call(() -> CgroupFiles.parseFlatKeyed(text), text.length());
  }

  @Property
  void mountinfoNeverThrowsAndItsMountsResolveAnyPath(@ForAll("mountinfo") String text)
      throws Exception {
    CgroupMounts mounts = Bounded.call(() -> CgroupMounts.parse(text), text.length());
    // the cgroup paths of a fuzzed /proc/PID/cgroup, resolved under the fuzzed mounts
    ProcCgroups cgroups = ProcCgroups.parse(text);
    List<String> paths = new ArrayList<>();
    cgroups.entries().forEach(e -> paths.add(e.path()));
    paths.add(text);
    for (CgroupMounts.Mount m : List.of(mounts.v1Memory(), mounts.v2()).stream()
        .flatMap(java.util.Optional::stream).toList()) {
      for (String p : paths) {
        // its input is the path and the mount it resolves under (from the fuzzed mountinfo)
        Bounded.call(() -> m.directoryOf(p), text.length() + p.length());
      }
    }
  }

  @Provide
  Arbitrary<String> files() {
    List<String> seeds = new ArrayList<>(Mutations.textFilesUnder(GOLDEN.resolve("cgroup-v1"), ""));
    seeds.addAll(Mutations.textFilesUnder(GOLDEN.resolve("cgroup-v2"), "memory.max"));
    seeds.addAll(Mutations.textFilesUnder(GOLDEN.resolve("cgroup-v2"), "memory.current"));
    seeds.addAll(Mutations.textFilesUnder(GOLDEN.resolve("cgroup-v2"), "memory.events"));
    seeds.addAll(Mutations.textFilesUnder(GOLDEN.resolve("cgroup-v2"), "memory.stat"));
    return Mutations.text(seeds);
  }

  @Provide
  Arbitrary<String> mountinfo() {
    return Mutations.text(List.of(
        Mutations.textFilesUnder(GOLDEN.resolve("procfs"), "mountinfo").get(0),
        Mutations.textFilesUnder(GOLDEN.resolve("procfs"), ".cgroup").get(0),
        "35 25 0:30 /kubepods/pod1 /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n"
            + "36 25 0:31 / /sys/fs/cgroup/un\\040ified rw - cgroup2 cgroup2 rw\n"));
  }
}
