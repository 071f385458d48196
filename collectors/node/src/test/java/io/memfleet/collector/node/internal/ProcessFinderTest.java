package io.memfleet.collector.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.memfleet.collector.node.Golden;
import java.io.FileOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessFinderTest {
  @TempDir Path dir;

  /** /proc/net/tcp captured on this machine (listening sockets of the test brokers). */
  @Test
  void listeningInodesFromACapturedTable() {
    String table = Golden.read("procfs/net.tcp");
    // line 0: 0100007F:7148 (127.0.0.1:29000) LISTEN, inode 28992
    assertThat(ProcessFinder.listeningInodes(table, 0x7148)).containsExactly("28992");
    assertThat(ProcessFinder.listeningInodes(table, 0x07E8)).containsExactly("1681");
    assertThat(ProcessFinder.listeningInodes(table, 1)).isEmpty();
  }

  @Test
  void findsTheProcessListeningOnARealPort() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThat(new ProcessFinder(Path.of("/proc")).listeningOn(server.getLocalPort()))
          .hasValue((int) ProcessHandle.current().pid());
    }
  }

  @Test
  void findsTheWriterOfALogButNeverItself() throws Exception {
    Path log = dir.resolve("app.log");
    Files.writeString(log, "");
    ProcessFinder finder = new ProcessFinder(Path.of("/proc"));
    Process writer = new ProcessBuilder("/bin/sh", "-c", "exec sleep 30")
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    try (FileOutputStream selfWriter = new FileOutputStream(log.toFile(), true)) {
      assertThat(finder.holding(log)).hasValue((int) writer.pid());
    } finally {
      writer.destroyForcibly().waitFor();
    }
    assertThat(finder.holding(log)).isEmpty();
  }
}
