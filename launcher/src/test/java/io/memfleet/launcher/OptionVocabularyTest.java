package io.memfleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command speaks one vocabulary: the same setting has the same option name in every
 * command that has it (older names may stay as aliases), read from every command's --help model.
 */
class OptionVocabularyTest {
  /** The name every command uses, for the words that identify a setting. */
  private static final Map<String, String> CANONICAL = Map.of(
      "bootstrap", "--kafka-bootstrap",
      "clickhouse-url", "--clickhouse-url",
      "security-protocol", "--kafka-security-protocol",
      "web-ui-port", "--web-ui-port");

  @Test
  void theSameSettingHasTheSameNameInEveryCommand() {
    Map<String, List<String>> offenders = new TreeMap<>();
    int checked = 0;
    for (Map.Entry<String, CommandLine> sub : Memfleet.commandLine().getSubcommands()
        .entrySet()) {
      for (OptionSpec option : sub.getValue().getCommandSpec().options()) {
        List<String> names = List.of(option.names());
        for (Map.Entry<String, String> word : CANONICAL.entrySet()) {
          if (names.stream().anyMatch(n -> n.contains(word.getKey()))) {
            checked++;
            if (!names.contains(word.getValue())) {
              offenders.computeIfAbsent(sub.getKey(), k -> new ArrayList<>())
                  .add(String.join("/", names) + " (want " + word.getValue() + ")");
            }
          }
        }
        // how long a command runs is always --duration, a duration ("90s", "5m")
        if (names.contains("--duration")) {
          checked++;
          if (!option.type().equals(java.time.Duration.class)) {
            offenders.computeIfAbsent(sub.getKey(), k -> new ArrayList<>())
                .add("--duration of type " + option.type().getSimpleName());
          }
        }
      }
    }
    assertThat(checked).as("options checked").isGreaterThan(10);
    assertThat(offenders).isEmpty();
  }
}
