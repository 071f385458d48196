package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.k8s.kustomize.ImageRef;
import io.memfleet.k8s.kustomize.Kustomizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Images in the manifests are the ones the Dockerfiles build, at the Maven project version. */
class ImagesTest {
  private static final Pattern TITLE =
      Pattern.compile("org\\.opencontainers\\.image\\.title=\"([a-z0-9-]+)\"");

  static String dockerfile(String image) {
    return K8sTree.read(K8sTree.root().resolve("images/" + image + "/Dockerfile"));
  }

  /** Every image a build or the agent component names. */
  static List<String> allImages() {
    List<Map<String, Object>> res = new ArrayList<>();
    K8sTree.BUILDS.forEach(b -> res.addAll(K8sTree.build(b)));
    res.addAll(new Kustomizer().build(K8sTree.root().resolve("src/test/resources/jvm-app")));
    List<String> out = new ArrayList<>();
    for (Map<String, Object> r : res) {
      for (Map<String, Object> pod : K8sTree.podSpecs(r)) {
        for (Map<String, Object> c : K8sTree.containers(pod)) {
          // Flink's own container takes the FlinkDeployment's spec.image
          if (!(c.get("image") == null && "flink-main-container".equals(c.get("name")))) {
            assertThat((String) c.get("image")).as(r.get("kind") + " " + c.get("name"))
                .isNotBlank();
            out.add((String) c.get("image"));
          }
        }
      }
      if ("FlinkDeployment".equals(r.get("kind"))) {
        out.add(at(r, "spec", "image"));
      }
    }
    return out;
  }

  @Test
  void memfleetImagesAreTheDockerfilesAtTheProjectVersion() {
    Set<String> titles = new HashSet<>();
    for (String dir : List.of("collector", "pipeline", "jfr-agent")) {
      Matcher m = TITLE.matcher(dockerfile(dir));
      assertThat(m.find()).as(dir + " Dockerfile title label").isTrue();
      assertThat(m.group(1)).isEqualTo("memfleet-" + dir);
      titles.add("memfleet/" + m.group(1));
    }
    Set<String> used = new HashSet<>();
    for (String image : allImages()) {
      ImageRef ref = ImageRef.parse(image);
      assertThat(ref.tag()).as(image + " is pinned to a tag").isNotBlank().isNotEqualTo("latest");
      if (ref.name().startsWith("memfleet/")) {
        assertThat(titles).as(image).contains(ref.name());
        assertThat(ref.tag()).as(image).isEqualTo(K8sTree.version());
        used.add(ref.name());
      }
    }
    assertThat(used).isEqualTo(titles);
  }

  @Test
  void pipelineImageIsTheFlinkOfTheBuildWithTheJobJarWhereTheDeploymentLooks() {
    String df = dockerfile("pipeline");
    assertThat(df).contains("ARG FLINK_VERSION=" + System.getProperty("memfleet.flink.version"))
        .contains("FROM flink:${FLINK_VERSION}-java17");
    Map<String, Object> fd =
        K8sTree.one(K8sTree.build("base"), "FlinkDeployment", "memfleet-pipeline");
    String jar = ((String) at(fd, "spec", "job", "jarURI")).substring("local://".length());
    assertThat(df).containsPattern("COPY .*pipeline/target/\\S+\\.jar " + Pattern.quote(jar));
    // S3 checkpoints need the S3 file system plugin in the image
    assertThat((String) at(fd, "spec", "flinkConfiguration", "execution.checkpointing.dir"))
        .startsWith("s3://");
    assertThat(df).contains("/opt/flink/plugins/s3-fs-presto");
  }

  @Test
  void collectorImageRunsTheLauncherTheMavenBuildLaysOut() {
    String df = dockerfile("collector");
    assertThat(df).contains("COPY launcher/target/lib/ /opt/memfleet/lib/")
        .contains("openjdk-17-jre-headless", "bpftrace", "linux-perf");
    // the launcher module copies its runtime dependencies to target/lib
    assertThat(K8sTree.read(K8sTree.repo().resolve("launcher/pom.xml")))
        .contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>");
    String script = K8sTree.read(K8sTree.root().resolve("images/collector/memfleet"));
    assertThat(script).contains("-cp '/opt/memfleet/lib/*' io.memfleet.launcher.Memfleet");
    assertThat(K8sTree.repo().resolve(
        "launcher/src/main/java/io/memfleet/launcher/Memfleet.java")).isRegularFile();
    assertThat(Files.isExecutable(K8sTree.root().resolve("images/collector/memfleet"))).isTrue();
  }

  @Test
  void jfrAgentJarPathAgreesBetweenImageInitContainerAndJavaToolOptions() {
    String df = dockerfile("jfr-agent");
    Matcher copy = Pattern.compile("COPY collectors/jfr/target/\\S+\\.jar (\\S+)").matcher(df);
    assertThat(copy.find()).isTrue();
    String inImage = copy.group(1);

    var app = new Kustomizer().build(K8sTree.root().resolve("src/test/resources/jvm-app"));
    Map<String, Object> pod = K8sTree.podSpecs(K8sTree.one(app, "Deployment", "shop")).get(0);
    Map<String, Object> init = K8sTree.containers(pod).stream()
        .filter(c -> "memfleet-jfr-agent".equals(c.get("name"))).findFirst().orElseThrow();
    List<String> cmd = (List<String>) init.get("command");
    assertThat(cmd).hasSize(3).startsWith("cp");
    assertThat(cmd.get(1)).isEqualTo(inImage);
    String shared = cmd.get(2);

    Map<String, Object> jvm = K8sTree.containers(pod).stream()
        .filter(c -> "app".equals(c.get("name"))).findFirst().orElseThrow();
    String options = ((List<Map<String, Object>>) jvm.get("env")).stream()
        .filter(e -> "JAVA_TOOL_OPTIONS".equals(e.get("name"))).map(e -> (String) e.get("value"))
        .findFirst().orElseThrow();
    assertThat(options).startsWith("-javaagent:" + shared + "=");
    assertThat(options).contains("bootstrap=memfleet-kafka-bootstrap.memfleet.svc:"
        + KafkaClients.listenerPort(K8sTree.build("base")));

    // the init container writes and the JVM reads the same emptyDir, at the jar's directory
    String dir = Path.of(shared).getParent().toString();
    String volume = mountOf(init, dir);
    assertThat(mountOf(jvm, dir)).isEqualTo(volume);
    assertThat(((List<Map<String, Object>>) pod.get("volumes")).stream()
        .filter(v -> volume.equals(v.get("name"))).findFirst().orElseThrow())
        .containsKey("emptyDir");
  }

  private static String mountOf(Map<String, Object> container, String path) {
    return ((List<Map<String, Object>>) container.get("volumeMounts")).stream()
        .filter(m -> path.equals(m.get("mountPath"))).map(m -> (String) m.get("name"))
        .findFirst().orElseThrow(() -> new AssertionError(container.get("name") + " mounts "
            + path));
  }
}
