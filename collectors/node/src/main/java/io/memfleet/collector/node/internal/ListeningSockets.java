package io.memfleet.collector.node.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The TCP ports a process listens on: the LISTEN entries of {@code /proc/PID/net/tcp} and
 * {@code tcp6} (the tables of the process's network namespace) whose socket inode the process
 * holds in {@code /proc/PID/fd}.
 *
 * <pre>{@code
 * for (ListeningSockets.Listener l : ListeningSockets.of(Path.of("/proc"), pid)) {
 *   URI url = URI.create("http://" + l.probeHost() + ":" + l.port());
 * }
 * }</pre>
 *
 * <p>Needs the same privileges as the rest of the scan (root, or the same user).
 */
public final class ListeningSockets {
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /**
   * One listening socket.
   *
   * @param address the bound address as text (dotted IPv4, or the 32 hex digits of IPv6)
   * @param port the TCP port
   * @param wildcard bound to every address (0.0.0.0 or ::)
   * @param loopback bound to a loopback address (127/8, ::1, ::ffff:127/104)
   * @param inode the socket inode
   */
  public record Listener(String address, int port, boolean wildcard, boolean loopback,
      String inode) {

    /** The host to connect to from this network namespace: loopback for a wildcard bind. */
    public String probeHost() {
      if (wildcard) {
        return "127.0.0.1";
      }
      return address.contains(".") ? address : "[::1]";
    }
  }

  /** The process's listening sockets, v4 then v6; empty when unreadable or gone. */
  public static List<Listener> of(Path procRoot, int pid) {
    Path dir = procRoot.resolve(Integer.toString(pid));
    Map<String, Listener> byInode = new LinkedHashMap<>();
    for (String table : List.of("net/tcp", "net/tcp6")) {
      try {
        for (Listener l : parse(Files.readString(dir.resolve(table)))) {
          byInode.putIfAbsent(l.inode(), l);
        }
      } catch (IOException e) {
        // no IPv6, or the process is gone
      }
    }
    if (byInode.isEmpty()) {
      return List.of();
    }
    Set<String> held = socketInodes(dir.resolve("fd"));
    List<Listener> out = new ArrayList<>();
    for (Listener l : byInode.values()) {
      if (held.contains(l.inode())) {
        out.add(l);
      }
    }
    return out;
  }

  /** LISTEN entries of one {@code /proc/net/tcp}-format table; odd lines are skipped. */
  public static List<Listener> parse(String table) {
    List<Listener> out = new ArrayList<>();
    for (String line : table.split("\n")) {
      String[] f = line.trim().split("\\s+");
      // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
      if (f.length < 10 || !f[3].equals(LISTEN)) {
        continue;
      }
      int colon = f[1].indexOf(':');
      if (colon < 0) {
        continue;
      }
      String hex = f[1].substring(0, colon);
      int port;
      try {
        port = Integer.parseInt(f[1].substring(colon + 1), 16);
      } catch (NumberFormatException e) {
        continue;
      }
      if (hex.length() == 8) {
        String ip = v4(hex);
        if (ip == null) {
          continue;
        }
        out.add(new Listener(ip, port, ip.equals("0.0.0.0"), ip.startsWith("127."), f[9]));
      } else if (hex.length() == 32) {
        boolean wildcard = hex.chars().allMatch(c -> c == '0');
        boolean loopback = hex.equals("00000000000000000000000001000000");
        String address = hex;
        if (hex.startsWith("0000000000000000FFFF0000")) { // v4-mapped
          String ip = v4(hex.substring(24));
          if (ip == null) {
            continue;
          }
          address = ip;
          loopback = ip.startsWith("127.");
          wildcard = ip.equals("0.0.0.0");
        }
        out.add(new Listener(address, port, wildcard, loopback, f[9]));
      }
    }
    return out;
  }

  /** The kernel prints an IPv4 address as one host-order (little-endian here) hex word. */
  private static String v4(String hex) {
    try {
      long v = Long.parseLong(hex, 16);
      return (v & 0xff) + "." + (v >> 8 & 0xff) + "." + (v >> 16 & 0xff) + "." + (v >> 24 & 0xff);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Set<String> socketInodes(Path fdDir) {
    Set<String> inodes = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
      for (Path fd : fds) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException | UnsupportedOperationException e) {
          // closed while listing
        }
      }
    } catch (IOException e) {
      // gone, or not ours to look at
    }
    return inodes;
  }
}
