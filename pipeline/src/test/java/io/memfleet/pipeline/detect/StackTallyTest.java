package io.memfleet.pipeline.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StackTallyTest {

  @Test
  void aRetainedClassIsNamedByItsHeaviestStackWithFrames() {
    StackTally t = new StackTally();
    // sampled before the collector turned stacks on: the leak's class without a stack
    t.add(1, "", "com.acme.Row", 600);
    t.add(2, "com.acme.Cache.put:12", "com.acme.Row", 300);
    t.add(3, "com.acme.Cache.warm:40", "com.acme.Row", 100);
    t.add(4, "com.acme.Http.read:7", "byte[]", 800);
    int i = t.heaviestOfHeaviestLabel();
    assertThat(t.labels.get(i)).as("1000 bytes of Row beat 800 of byte[]").isEqualTo("com.acme.Row");
    assertThat(t.frames.get(i)).isEqualTo("com.acme.Cache.put:12");
    assertThat(t.heaviest()).as("by entry alone byte[] wins").isEqualTo(3);
  }

  @Test
  void aClassWithoutAnyStackKeepsItsStacklessEntry() {
    StackTally t = new StackTally();
    t.add(1, "", "com.acme.Row", 600);
    t.add(4, "com.acme.Http.read:7", "byte[]", 500);
    assertThat(t.heaviestOfHeaviestLabel()).isZero();
    assertThat(t.heaviestWithFramesBeside("com.acme.Row")).as("the code beside it").isEqualTo(1);
    assertThat(t.heaviestWithFramesBeside("byte[]")).as("Row has no frames").isEqualTo(-1);
  }

  @Test
  void unlabelledEntriesCountOnTheirOwn() {
    StackTally t = new StackTally();
    t.add(7, "main.leak", 900);
    t.add(8, "main.other", 100);
    assertThat(t.heaviestOfHeaviestLabel()).isZero();
    assertThat(new StackTally().heaviestOfHeaviestLabel()).isEqualTo(-1);
  }
}
