package io.memfleet.sql.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResultTableTest {
  @Test
  void readsTabSeparatedWithNamesAndRendersAnAlignedTable() {
    ResultTable t = ResultTable.fromTabSeparatedWithNames(
        "service\tdays_to_oom\tnote\ncheckout\t3.12\ta\\tb\nledger\t14\t\\N\n");
    assertThat(t.columns()).containsExactly("service", "days_to_oom", "note");
    assertThat(t.values("days_to_oom")).containsExactly("3.12", "14");
    assertThat(t.rows().get(0).get(2)).isEqualTo("a\tb");
    assertThat(t.rows().get(1).get(2)).isNull();
    assertThat(t.render()).isEqualTo("""
        service   days_to_oom  note
        --------  -----------  ----
        checkout         3.12  a\\tb
        ledger             14  NULL
        (2 rows)
        """);
  }

  @Test
  void anEmptyAnswerStillShowsTheHeader() {
    ResultTable t = ResultTable.fromTabSeparatedWithNames("a\tb\n");
    assertThat(t.rows()).isEmpty();
    assertThat(t.render()).isEqualTo("a  b\n-  -\n(0 rows)\n");
  }
}
