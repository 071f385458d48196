package io.memfleet.collector.jfr.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.jfr.attach.HotSpotAttach;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class EarlyAttachTest {
  @Test
  void aJvmThatDidNotKnowJfrsCommandsYetIsTriedAgainOthersAreNot() {
    // the reply of a JDK 25 JVM attached 1 s after its start
    assertThat(JfrRepositoryCollector.tooYoungForJfr(new HotSpotAttach.AttachException(
        "'JFR.check name=memfleet' failed in pid: java.lang.IllegalArgumentException: Unknown"
            + " diagnostic command"))).isTrue();
    assertThat(JfrRepositoryCollector.tooYoungForJfr(new HotSpotAttach.AttachException(
        "no reply to 'JFR.check name=memfleet' (the JVM closed the connection: another user's JVM"
            + " refuses non-root peers)"))).isFalse();
    assertThat(JfrRepositoryCollector.tooYoungForJfr(new IOException((String) null))).isFalse();
  }
}
