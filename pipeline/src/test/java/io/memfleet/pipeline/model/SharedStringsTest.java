package io.memfleet.pipeline.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Equal strings come back as one instance; a string never comes back as another. */
class SharedStringsTest {
  @Test
  void equalStringsComeBackAsTheFirstInstance() {
    SharedStrings shared = new SharedStrings(64);
    String first = new String("node-17");
    String again = new String("node-17");
    assertThat(shared.of(first)).isSameAs(first);
    assertThat(shared.of(again)).isSameAs(first);
    assertThat(shared.of(null)).isNull();
    assertThat(shared.of("")).isEmpty();
  }

  @Test
  void aStringIsNeverAnsweredWithAnotherOneAndTheNewestKeepsTheSlot() {
    SharedStrings shared = new SharedStrings(1); // every string in the same slot
    String a = new String("node-a");
    String b = new String("node-b");
    assertThat(shared.of(a)).isSameAs(a);
    assertThat(shared.of(b)).isSameAs(b);
    assertThat(shared.of(new String("node-a"))).isEqualTo("node-a").isNotSameAs(b);
    for (int i = 0; i < 10_000; i++) {
      String s = "node-" + (i % 97);
      assertThat(shared.of(s)).isEqualTo(s);
    }
  }

  @Test
  void theSlotsArePowersOfTwo() {
    assertThatThrownBy(() -> new SharedStrings(100)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SharedStrings(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
