package io.github.cachedimage.it.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {

  @Test
  void judgesRatiosOfMediansAndSaysByHowMuch() {
    BenchReport report = new BenchReport();
    report.scenario("s", "S", "");
    for (double ms : List.of(1000.0, 1400.0, 1100.0)) {
      report.add("s", "ours", ms);
    }
    for (double ms : List.of(1000.0, 900.0, 3000.0, 1000.0)) {
      report.add("s", "floor", ms);
    }
    report.targets.add(
        new BenchReport.Target(
            "ours / floor", new String[] {"s", "ours"}, new String[] {"s", "floor"}, "<=", 1.05));
    report.targets.add(
        new BenchReport.Target("absent", new String[] {"s", "nobody"}, null, "<", 20));

    assertThat(report.targetTable())
        .contains("| ours / floor | 1100 / 1000 ms (ours / floor) | 1.10 x | <= 1.05 x | missed |")
        .contains("| absent | — ms | — | < 20 ms | not measured |");
  }

  @Test
  void aFullRunBecomesCurrentAndEveryRunGoesOnTopOfTheHistory() {
    String index =
        String.join(
            "\n",
            "intro",
            BenchReport.CURRENT_START,
            "old table",
            BenchReport.CURRENT_END,
            BenchReport.HISTORY_START,
            "- [2026-12-06](2026-12-06.md) old",
            "- [2026-12-07](2026-12-07.md) same day, replaced",
            BenchReport.HISTORY_END,
            "");

    String quick =
        BenchReport.updateIndex(index, "2026-12-08-quick.md", "- [q](2026-12-08-quick.md)", null);
    String full =
        BenchReport.updateIndex(quick, "2026-12-07.md", "- [f](2026-12-07.md) new", "new table");

    assertThat(quick).contains("old table");
    assertThat(full)
        .contains(BenchReport.CURRENT_START + "\nnew table\n" + BenchReport.CURRENT_END)
        .contains(
            BenchReport.HISTORY_START
                + "\n- [f](2026-12-07.md) new\n- [q](2026-12-08-quick.md)\n- [2026-12-06](2026-12-06.md) old\n"
                + BenchReport.HISTORY_END)
        .doesNotContain("same day, replaced");
  }
}
