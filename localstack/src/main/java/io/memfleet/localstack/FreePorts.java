package io.memfleet.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback port helpers: tests take free ports so that parallel runs never collide.
 *
 * <p>A port is handed out free a moment before its server binds it, seconds later for a JVM or
 * a broker. Ports the kernel picks itself (bind to port 0) come from its ephemeral range, the
 * one every outgoing connection's local port is also taken from — a client connecting in that
 * moment can take it (seen: a Flink JobManager's REST endpoint failing with "Could not start rest
 * endpoint on any port" in a run with Kafka and ClickHouse clients busy). So {@link #find} picks
 * at random below that range ({@code /proc/sys/net/ipv4/ip_local_port_range}), where only
 * servers that choose their port go, checks the port can be bound, and never hands out one port
 * twice in a JVM.
 */
public final class FreePorts {
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /** A port that was free on 127.0.0.1 a moment ago, outside the kernel's ephemeral range. */
  public static int find() {
    int below = ephemeralStart();
    if (below - LOWEST >= 1000) {
      for (int attempt = 0; attempt < 100; attempt++) {
        int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
        if (!HANDED_OUT.contains(port) && canBind(port) && HANDED_OUT.add(port)) {
          return port;
        }
      }
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
  public static boolean isListening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first port of the kernel's ephemeral range; 32768 (Linux's default) when unknown. */
  static int ephemeralStart() {
    try {
      // read by lines: procfs files report no size, and a sized read gets one byte
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
