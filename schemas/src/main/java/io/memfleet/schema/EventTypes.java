package io.memfleet.schema;

import io.memfleet.event.Alert;
import io.memfleet.event.Allocation;
import io.memfleet.event.ClockSync;
import io.memfleet.event.DeadLetter;
import io.memfleet.event.Free;
import io.memfleet.event.GcCycle;
import io.memfleet.event.GcPause;
import io.memfleet.event.HeapSummary;
import io.memfleet.event.MemoryMapping;
import io.memfleet.event.MemoryPools;
import io.memfleet.event.OomKill;
import io.memfleet.event.OomSnapshot;
import io.memfleet.event.PageFault;
import io.memfleet.event.ProcessLifecycle;
import io.memfleet.event.ResidentMemory;
import io.memfleet.event.ThreadCount;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one list of top-level record types that travel on memfleet topics.
 *
 * <p>Everything that must know "all the types" reads this list: the codec's schema store (so
 * every current schema is decodable by fingerprint), the release tool and the compatibility
 * gate. A new event kind is added here and nowhere else.
 *
 * <pre>{@code
 * for (Schema s : EventTypes.schemas()) System.out.println(s.getFullName());
 * }</pre>
 */
public final class EventTypes {

  /** Events published by collectors; each has {@code header: EventHeader} as its first field. */
  public static final List<Class<? extends SpecificRecord>> EVENTS =
      List.of(
          Allocation.class,
          Free.class,
          GcCycle.class,
          GcPause.class,
          HeapSummary.class,
          ResidentMemory.class,
          MemoryMapping.class,
          PageFault.class,
          ThreadCount.class,
          OomKill.class,
          ClockSync.class,
          ProcessLifecycle.class,
          MemoryPools.class);

  /** Records the pipeline publishes. */
  public static final List<Class<? extends SpecificRecord>> PIPELINE_OUTPUTS =
      List.of(Alert.class, OomSnapshot.class, DeadLetter.class);

  /** Every top-level record type: {@link #EVENTS} then {@link #PIPELINE_OUTPUTS}. */
  public static final List<Class<? extends SpecificRecord>> ALL =
      Stream.concat(EVENTS.stream(), PIPELINE_OUTPUTS.stream())
          .collect(Collectors.toUnmodifiableList());

  private EventTypes() {}

  /** The current (compiled-in) schema of every top-level record type, in {@link #ALL} order. */
  public static List<Schema> schemas() {
    return ALL.stream().map(EventTypes::schemaOf).collect(Collectors.toUnmodifiableList());
  }

  /** The top-level record class with this full name, if it is one of ours. */
  public static Optional<Class<? extends SpecificRecord>> byFullName(String fullName) {
    return ALL.stream().filter(c -> schemaOf(c).getFullName().equals(fullName)).findFirst();
  }

  /** The compiled-in schema of a generated record class. */
  public static Schema schemaOf(Class<? extends SpecificRecord> type) {
    return SpecificData.get().getSchema(type);
  }
}
