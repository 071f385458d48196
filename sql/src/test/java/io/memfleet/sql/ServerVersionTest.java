package io.memfleet.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerVersionTest {
  @Test
  void ordersNumericallyNotLexically() {
    assertThat(ServerVersion.parse("18.16.1")).isLessThan(ServerVersion.parse("20.3"));
    assertThat(ServerVersion.parse("9.1")).isLessThan(ServerVersion.parse("18.16.1"));
    assertThat(ServerVersion.parse("26.7.1.1-stable").atLeast(ServerVersion.parse("20.3"))).isTrue();
    assertThat(ServerVersion.parse("18.16")).isEqualTo(ServerVersion.parse("18.16.0"))
        .hasSameHashCodeAs(ServerVersion.parse("18.16.0"));
  }

  @Test
  void rejectsGarbage() {
    assertThatThrownBy(() -> ServerVersion.parse("latest")).hasMessageContaining("latest");
  }

  @Test
  void unescapesTabSeparatedCells() {
    assertThat(TabSeparated.unescape("a\\tb\\\\c\\nd")).isEqualTo("a\tb\\c\nd");
    assertThat(TabSeparated.unescape("\\N")).isNull();
    assertThat(TabSeparated.unescape("plain")).isEqualTo("plain");
  }
}
