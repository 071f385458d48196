package io.memfleet.bench.pipeline;

import io.memfleet.bench.pipeline.DecodeAlignOptions.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.MemorySize;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Every setting of the keyed-state benchmark, declared once: picocli flags whose defaults come
 * from {@code MEMFLEET_BENCH_STATE_*} environment variables (the flag's name upper-cased), then
 * from the values below. The pipeline keeps reading its own {@code MEMFLEET_*} settings
 * ({@code PipelineOptions}); detection and forensics run with their defaults, as in the
 * throughput benchmark (their extensions are built for tests and do not read the environment).
 *
 * <pre>{@code
 * StateSizeOptions o = StateSizeOptions.parse("--fleets", "2x10", "--backends", "rocksdb");
 * o.fleets();   // [2 hosts x 10 processes]
 * }</pre>
 */
public final class StateSizeOptions {

  /** A simulated fleet: {@code hosts × processesPerHost} processes. */
  public record Fleet(int hosts, int processesPerHost) {
    public int processes() {
      return hosts * processesPerHost;
    }

    @Override
    public String toString() {
      return hosts + "x" + processesPerHost;
    }
  }

  /** The state backends measured, by their Flink name ({@code state.backend.type}). */
  public enum Backend {
    HASHMAP, ROCKSDB;

    public String flinkName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  @Option(names = "--fleets", split = ",", paramLabel = "HOSTSxPROCESSES",
      defaultValue = "${env:MEMFLEET_BENCH_STATE_FLEETS:-100x100,10x100}",
      converter = FleetConverter.class,
      description = "Fleet sizes measured, hosts x processes per host; two or more sizes give the "
          + "per-process slope without the fixed cost (default: ${DEFAULT-VALUE}).")
  List<Fleet> fleets;

  @Option(names = "--backends", split = ",",
      defaultValue = "${env:MEMFLEET_BENCH_STATE_BACKENDS:-hashmap,rocksdb}",
      converter = BackendConverter.class,
      description = "State backends: hashmap (heap), rocksdb (default: ${DEFAULT-VALUE}).")
  List<Backend> backends;

  @Option(names = "--rate", paramLabel = "EVENTS_PER_S",
      defaultValue = "${env:MEMFLEET_BENCH_STATE_RATE:-2}",
      description = "Events per second of each simulated process (default: ${DEFAULT-VALUE}).")
  int ratePerProcess;

  @Option(names = "--duration",
      defaultValue = "${env:MEMFLEET_BENCH_STATE_DURATION:-5m}",
      converter = DurationConverter.class,
      description = "Event time every process reports for before the checkpoint "
          + "(default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--parallelism",
      defaultValue = "${env:MEMFLEET_BENCH_STATE_PARALLELISM:-2}",
      description = "Flink parallelism (default: ${DEFAULT-VALUE}, as `memfleet pipeline`).")
  int parallelism;

  @Option(names = "--managed-memory", paramLabel = "SIZE",
      defaultValue = "${env:MEMFLEET_BENCH_STATE_MANAGED_MEMORY:-512m}",
      description = "Flink managed memory of the MiniCluster's task manager, which RocksDB's "
          + "block cache and write buffers come from (a MiniCluster's own default is 128m for "
          + "all its RocksDB instances) (default: ${DEFAULT-VALUE}).")
  String managedMemory;

  @Option(names = "--partitions", defaultValue = "${env:MEMFLEET_BENCH_STATE_PARTITIONS:-3}",
      description = "Partitions of each topic (default: ${DEFAULT-VALUE}, as `memfleet up`).")
  int partitions;

  @Option(names = "--clock-sync-interval",
      defaultValue = "${env:MEMFLEET_BENCH_STATE_CLOCK_SYNC_INTERVAL:-10s}",
      converter = DurationConverter.class,
      description = "Simulated time between two ClockSync samples of a host "
          + "(default: ${DEFAULT-VALUE}).")
  Duration clockSyncInterval;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
      defaultValue = "${env:MEMFLEET_BENCH_STATE_BOOTSTRAP}",
      description = "Use this Kafka instead of starting a broker; fresh topics named "
          + "bench-<run>.* are created on it and deleted afterwards.")
  String bootstrap;

  @Option(names = "--work-dir", paramLabel = "DIR",
      defaultValue = "${env:MEMFLEET_BENCH_STATE_WORK_DIR}",
      description = "Directory of the started broker, Flink's temporary files (RocksDB) and the "
          + "checkpoints, kept afterwards (default: a temporary directory, deleted).")
  Path workDir;

  @Option(names = "--broker-heap",
      defaultValue = "${env:MEMFLEET_BENCH_STATE_BROKER_HEAP:-1g}",
      description = "Heap of the started broker (default: ${DEFAULT-VALUE}).")
  String brokerHeap;

  @Option(names = "--seed", defaultValue = "${env:MEMFLEET_BENCH_STATE_SEED:-42}",
      description = "Seed of the simulated fleet (default: ${DEFAULT-VALUE}).")
  long seed;

  public StateSizeOptions() {}

  /** Options from command-line arguments, defaults from the environment; validated. */
  public static StateSizeOptions parse(String... args) {
    StateSizeOptions options = new StateSizeOptions();
    new CommandLine(options).parseArgs(args);
    options.validate();
    return options;
  }

  /** @throws IllegalArgumentException naming the first setting out of range */
  public void validate() {
    if (fleets == null || fleets.isEmpty()) {
      throw new IllegalArgumentException("--fleets: at least one size, e.g. 100x100");
    }
    if (fleets.stream().map(Fleet::processes).distinct().count() != fleets.size()) {
      throw new IllegalArgumentException("--fleets: sizes must differ in processes: " + fleets);
    }
    if (backends == null || backends.isEmpty()) {
      throw new IllegalArgumentException("--backends: at least one of hashmap, rocksdb");
    }
    positive("--rate", ratePerProcess);
    positive("--parallelism", parallelism);
    positive("--partitions", partitions);
    if (duration.toSeconds() < 1) {
      throw new IllegalArgumentException("--duration must be at least 1 s, got " + duration);
    }
    if (clockSyncInterval.isNegative() || clockSyncInterval.isZero()) {
      throw new IllegalArgumentException("--clock-sync-interval must be positive");
    }
    try {
      MemorySize.parse(managedMemory);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--managed-memory: not a size: " + managedMemory);
    }
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /** Fleet sizes in the order given. */
  public List<Fleet> fleets() {
    return List.copyOf(fleets);
  }

  public List<Backend> backends() {
    return List.copyOf(backends);
  }

  public int ratePerProcess() {
    return ratePerProcess;
  }

  public Duration duration() {
    return duration;
  }

  /** Events written for {@code fleet}: every process reports at the rate for the duration. */
  public long events(Fleet fleet) {
    return (long) fleet.processes() * ratePerProcess * duration.toSeconds();
  }

  public int parallelism() {
    return parallelism;
  }

  public MemorySize managedMemory() {
    return MemorySize.parse(managedMemory);
  }

  public int partitions() {
    return partitions;
  }

  public Duration clockSyncInterval() {
    return clockSyncInterval;
  }

  /** The Kafka to use, or null to start a broker. */
  public String bootstrap() {
    return bootstrap == null || bootstrap.isBlank() ? null : bootstrap.trim();
  }

  /** Where the broker, temporary files and checkpoints go, or null for a temporary directory. */
  public Path workDir() {
    return workDir;
  }

  public String brokerHeap() {
    return brokerHeap;
  }

  public long seed() {
    return seed;
  }

  /**
   * The workload of one fleet in the form {@link FleetWorkload} takes: every process publishing
   * the event mix at the rate, for the duration.
   */
  DecodeAlignOptions workload(Fleet fleet) {
    return DecodeAlignOptions.parse("--events", String.valueOf(events(fleet)),
        "--hosts", String.valueOf(fleet.hosts()),
        "--processes", String.valueOf(fleet.processesPerHost()),
        "--partitions", String.valueOf(partitions),
        "--rate", String.valueOf(ratePerProcess),
        "--clock-sync-interval", clockSyncInterval.toMillis() + "ms",
        "--seed", String.valueOf(seed),
        "--repetitions", "1", "--parallelism", String.valueOf(parallelism), "--stages", "JOB");
  }

  /** Parses {@code 100x100} (hosts x processes per host). */
  public static final class FleetConverter implements CommandLine.ITypeConverter<Fleet> {
    @Override
    public Fleet convert(String value) {
      String[] parts = value.trim().toLowerCase(Locale.ROOT).split("x");
      try {
        if (parts.length == 2) {
          int hosts = Integer.parseInt(parts[0].trim());
          int processes = Integer.parseInt(parts[1].trim());
          if (hosts > 0 && processes > 0) {
            return new Fleet(hosts, processes);
          }
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new CommandLine.TypeConversionException("not a fleet size: '" + value
          + "' (hosts x processes per host, e.g. 100x100)");
    }
  }

  /** Parses a backend name, any case. */
  public static final class BackendConverter implements CommandLine.ITypeConverter<Backend> {
    @Override
    public Backend convert(String value) {
      try {
        return Backend.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("not a state backend: '" + value
            + "' (hashmap or rocksdb)");
      }
    }
  }
}
