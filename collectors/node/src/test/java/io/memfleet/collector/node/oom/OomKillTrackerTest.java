package io.memfleet.collector.node.oom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OomKillTrackerTest {
  private static final long S = 1_000_000_000L;
  private final OomKillTracker<String> oom = new OomKillTracker<>(Duration.ofSeconds(10));

  private static OomKillTracker.Exited<String> exit(String name, String cg, long rss) {
    return new OomKillTracker.Exited<>(name, cg, rss);
  }

  @Test
  void firstReadingIsABaselineNotAKill() {
    oom.counter("/a", 3, 0);
    List<OomKillTracker.Attribution<String>> r = oom.attribute(List.of(exit("p", "/a", 10)), S);
    assertThat(r).singleElement().satisfies(a -> assertThat(a.oomKilled()).isFalse());
    assertThat(oom.attributedKills()).isZero();
  }

  @Test
  void counterRiseGoesToTheLargestExitedProcessOfThatCgroup() {
    oom.counter("/a", 0, 0);
    oom.counter("/b", 0, 0);
    oom.counter("/a", 1, S);
    oom.counter("/b", 0, S);
    List<OomKillTracker.Attribution<String>> r = oom.attribute(List.of(
        exit("small", "/a", 10), exit("big", "/a", 1000), exit("other", "/b", 5000)), S);
    assertThat(r).extracting(OomKillTracker.Attribution::victim)
        .containsExactly("small", "big", "other");
    assertThat(r).extracting(OomKillTracker.Attribution::oomKilled)
        .containsExactly(false, true, false);
    assertThat(r.get(1).oomKillCount()).isEqualTo(1);
  }

  @Test
  void victimMayVanishSeveralScansAfterTheCounterRose() {
    oom.counter("/a", 0, 0);
    oom.counter("/a", 1, S);
    assertThat(oom.attribute(List.of(), S)).isEmpty();
    oom.endScan();
    oom.counter("/a", 1, 2 * S);
    List<OomKillTracker.Attribution<String>> r =
        oom.attribute(List.of(exit("victim", "/a", 64)), 3 * S);
    assertThat(r.get(0).oomKilled()).isTrue();
    assertThat(oom.unattributedKills()).isZero();
  }

  @Test
  void killsWithoutAVictimExpireAfterTheWindowAndAreCounted() {
    oom.counter("/a", 0, 0);
    oom.counter("/a", 2, S);
    oom.attribute(List.of(), 5 * S);
    assertThat(oom.unattributedKills()).isZero();
    List<OomKillTracker.Attribution<String>> late =
        oom.attribute(List.of(exit("late", "/a", 1)), 12 * S);
    assertThat(late.get(0).oomKilled()).isFalse();
    assertThat(oom.unattributedKills()).isEqualTo(2);
  }

  @Test
  void twoKillsTwoVictims() {
    oom.counter("/a", 5, 0);
    oom.counter("/a", 7, S);
    List<OomKillTracker.Attribution<String>> r = oom.attribute(
        List.of(exit("x", "/a", 1), exit("y", "/a", 2), exit("z", "/a", 3)), S);
    assertThat(r).extracting(OomKillTracker.Attribution::oomKilled)
        .containsExactly(false, true, true);
    assertThat(r.get(2).oomKillCount()).isEqualTo(6);
    assertThat(r.get(1).oomKillCount()).isEqualTo(7);
  }

  @Test
  void recreatedCgroupResetsTheBaseline() {
    oom.counter("/a", 4, 0);
    oom.counter("/a", 0, S);
    assertThat(oom.attribute(List.of(exit("p", "/a", 1)), S).get(0).oomKilled()).isFalse();
  }

  @Test
  void stateOfCgroupsNoLongerReadIsDropped() {
    oom.counter("/a", 0, 0);
    oom.endScan();
    assertThat(oom.trackedCgroups()).isEqualTo(1);
    oom.endScan();
    assertThat(oom.trackedCgroups()).isZero();
  }

  @Test
  void windowMustBePositive() {
    assertThatThrownBy(() -> new OomKillTracker<String>(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
