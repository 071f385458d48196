package io.memfleet.pipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

class ProcessIdTest {
  private static final int MAX_PARALLELISM = 128;

  @Test
  void aProcessItsVictimAndItsScopedKeysShareOneKeyGroup() {
    for (int pid = 1; pid < 2000; pid += 7) {
      ProcessId process =
          new ProcessId("prod", "node-" + (pid % 13), pid, 1_700_000_000_000L + pid);
      int group = KeyGroupRangeAssignment.assignToKeyGroup(process, MAX_PARALLELISM);
      assertThat(KeyGroupRangeAssignment.assignToKeyGroup(process.victim(), MAX_PARALLELISM))
          .isEqualTo(group);
      assertThat(KeyGroupRangeAssignment.assignToKeyGroup(
          new ProcessScopedKey(process, "LIVE_SET#heap"), MAX_PARALLELISM)).isEqualTo(group);
    }
  }

  @Test
  void equalityTakesTheStartTimeAndThePart() {
    ProcessId process = new ProcessId("c", "n", 7, 1000);
    assertThat(process).isEqualTo(new ProcessId("c", "n", 7, 1000))
        .isNotEqualTo(new ProcessId("c", "n", 7, 2000)).isNotEqualTo(process.victim());
    assertThat(process.victim()).isEqualTo(new ProcessId("c", "n", 7, 0));
    assertThat(new ProcessScopedKey(process, "a")).isEqualTo(new ProcessScopedKey(process, "a"))
        .isNotEqualTo(new ProcessScopedKey(process, "b"));
    assertThat(process).hasToString("c/n/7/1000");
    assertThat(new ProcessId(null, null, 1, 0)).isEqualTo(new ProcessId("", "", 1, 0));
  }

  @Test
  void theKeysRoundTripThroughTheirSerializersAsKeyTypes() throws Exception {
    ProcessId process = new ProcessId("prod-eu", "ip-10-0-0-1", 4242, 1_700_000_000_123L);
    ProcessScopedKey series = new ProcessScopedKey(process, "OUTSTANDING#0x7f3a");
    assertThat(roundTrip(TypeInformation.of(ProcessId.class), process)).isEqualTo(process);
    assertThat(roundTrip(TypeInformation.of(ProcessScopedKey.class), series)).isEqualTo(series);
    assertThat(TypeInformation.of(ProcessId.class).isKeyType()).isTrue();
    assertThat(TypeInformation.of(ProcessScopedKey.class).isKeyType()).isTrue();
  }

  private static <T> T roundTrip(TypeInformation<T> type, T value) throws Exception {
    TypeSerializer<T> serializer = type.createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(value, out);
    DataOutputSerializer copied = new DataOutputSerializer(64);
    serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
    assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }
}
