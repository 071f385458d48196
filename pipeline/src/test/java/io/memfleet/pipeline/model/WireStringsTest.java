package io.memfleet.pipeline.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

class WireStringsTest {
  /** Strings of every shape: null, empty, ASCII, Latin-1, CJK, surrogates, past 127 and 16383. */
  private static List<String> strings() {
    List<String> all = new ArrayList<>(List.of("", "checkout", "ü", "a\u00ffb", "節點-7",
        "\ud83d\ude80 rocket", "quote \" and \\ and \n", "x".repeat(127), "y".repeat(128),
        "z".repeat(16_384), "é".repeat(300) + "ascii tail"));
    all.add(null);
    Random random = new Random(20261206);
    char[] alphabet = {'a', 'Z', '0', '-', '\u007f', '\u0080', '\u00e9', '\u07ff', '\u0800',
        '\uffff', '\ud800', '\udc00'};
    for (int i = 0; i < 2_000; i++) {
      char[] chars = new char[random.nextInt(300)];
      for (int j = 0; j < chars.length; j++) {
        chars[j] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)]
            : (char) ('a' + random.nextInt(26));
      }
      all.add(new String(chars));
    }
    return all;
  }

  @Test
  void writesTheBytesOfFlinksStringValueAndReadsThemBack() throws Exception {
    for (String s : strings()) {
      DataOutputSerializer ours = new DataOutputSerializer(64);
      WireStrings.write(s, ours);
      ours.writeInt(0x5eed); // what follows must be left where it is
      DataOutputSerializer flinks = new DataOutputSerializer(64);
      StringValue.writeString(s, flinks);
      flinks.writeInt(0x5eed);
      assertThat(ours.getCopyOfBuffer()).as("bytes of %s", s).isEqualTo(flinks.getCopyOfBuffer());

      DataInputDeserializer in = new DataInputDeserializer(flinks.getCopyOfBuffer());
      assertThat(WireStrings.read(in)).isEqualTo(s);
      assertThat(in.readInt()).isEqualTo(0x5eed);
      assertThat(StringValue.readString(new DataInputDeserializer(ours.getCopyOfBuffer())))
          .isEqualTo(s);
    }
  }
}
