package io.memfleet.collector.jfr.attach;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.jfr.JfrEventMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassHistogramTest {
  /** The head and tail of `jcmd PID GC.class_histogram -all` of a Shenandoah JVM (JDK 17). */
  private static final String TEXT = """
      13051:
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:          3890       31888720  [D (java.base@17.0.15)
         2:         23858       15641160  [B (java.base@17.0.15)
         3:         19656         471744  java.lang.String (java.base@17.0.15)
         4:         11191         358112  io.memfleet.scenarios.jvm.support.RequestTraffic$LineItem
         5:          3303         209552  [Ljava.lang.Object; (java.base@17.0.15)
         6:          3890         124480  io.memfleet.scenarios.jvm.SearchFrontend$QueryTrace
         7:            12            864  [[I (java.base@17.0.15)
      Total        66100       48694932
      """;

  @Test
  void rowsAreReadWithTheirClassesAsJavaNamesThem() {
    List<ClassHistogram.Row> rows = ClassHistogram.parse(TEXT);
    assertThat(rows).hasSize(7);
    assertThat(rows.get(0)).isEqualTo(new ClassHistogram.Row("double[]", 3890, 31888720));
    assertThat(rows).extracting(ClassHistogram.Row::className).containsExactly("double[]",
        "byte[]", "java.lang.String",
        "io.memfleet.scenarios.jvm.support.RequestTraffic$LineItem", "java.lang.Object[]",
        "io.memfleet.scenarios.jvm.SearchFrontend$QueryTrace", "int[][]");
  }

  @Test
  void theHeaviestAndTheHeaviestProgramClassesAreKeptOnce() {
    List<ClassHistogram.Row> kept = ClassHistogram.select(ClassHistogram.parse(TEXT), 2, 2);
    assertThat(kept).extracting(ClassHistogram.Row::className).containsExactly("double[]",
        "byte[]", "io.memfleet.scenarios.jvm.support.RequestTraffic$LineItem",
        "io.memfleet.scenarios.jvm.SearchFrontend$QueryTrace");
    // a program class among the heaviest is not kept twice
    assertThat(ClassHistogram.select(ClassHistogram.parse(TEXT), 4, 2))
        .extracting(ClassHistogram.Row::className).containsExactly("double[]", "byte[]",
            "java.lang.String", "io.memfleet.scenarios.jvm.support.RequestTraffic$LineItem",
            "io.memfleet.scenarios.jvm.SearchFrontend$QueryTrace");
  }

  @Test
  void arraysOfEveryKindAndJdkClassesAreNotTheProgramsOwn() {
    assertThat(JfrEventMapper.javaName("[Z")).isEqualTo("boolean[]");
    assertThat(JfrEventMapper.javaName("[[J")).isEqualTo("long[][]");
    assertThat(JfrEventMapper.javaName("[Lcom.acme.Order;")).isEqualTo("com.acme.Order[]");
    assertThat(JfrEventMapper.javaName("com.acme.Order")).isEqualTo("com.acme.Order");
    assertThat(new ClassHistogram.Row("com.acme.Order", 1, 24).programClass()).isTrue();
    assertThat(new ClassHistogram.Row("com.acme.Order[]", 1, 24).programClass()).isFalse();
    assertThat(new ClassHistogram.Row("java.util.HashMap$Node", 1, 32).programClass()).isFalse();
    assertThat(new ClassHistogram.Row("jdk.internal.misc.Foo", 1, 32).programClass()).isFalse();
  }

  @Test
  void aReplyThatIsNoHistogramHasNoRows() {
    assertThat(ClassHistogram.parse("13051:\nCommand executed successfully\n")).isEmpty();
  }
}
