package io.memfleet.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class StackCaptureTest {
  @Test
  void theSameCallSiteGivesEqualKeysAndAnotherDoesNot() {
    CapturedStack first = captureHere();
    CapturedStack again = captureHere();
    // this test's frames are in the probe's package and dropped: come in through a JDK frame
    CapturedStack elsewhere = Optional.of(0).map(x -> captureHere()).orElseThrow();

    assertThat(first.key()).isEqualTo(again.key()).hasSameHashCodeAs(again.key());
    assertThat(first.key()).isNotEqualTo(elsewhere.key());
  }

  @Test
  void framesReadAsClassMethodLineBelowTheProbe() {
    CapturedStack stack = captureHere();

    // this test's own frames are in the probe's package, so the first kept frame is JUnit's
    assertThat(stack.frames()).isNotEmpty().hasSizeLessThanOrEqualTo(StackCapture.MAX_FRAMES)
        .allMatch(frame -> frame.matches("[\\w.$]+\\.[\\w$<>]+:-?\\d+"))
        .noneMatch(frame -> frame.startsWith("io.memfleet.probe.internal."));
  }

  private static CapturedStack captureHere() {
    return StackCapture.allocatingStack();
  }
}
