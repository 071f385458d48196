package io.memfleet.collector.node.go;

import java.net.URI;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A Go program to scrape: a name, the base URL that serves {@code /debug/vars} and
 * {@code /debug/pprof/}, and optionally its pid (found from the listening port otherwise).
 *
 * <pre>{@code
 * GoTarget t = GoTarget.parse("checkout=http://127.0.0.1:6060");
 * GoTarget p = GoTarget.parse("checkout=http://127.0.0.1:6060,pid=4242");
 * }</pre>
 */
public record GoTarget(String name, URI baseUrl, OptionalInt pid) {

  public GoTarget {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(baseUrl, "baseUrl");
    if (name.isBlank()) {
      throw new IllegalArgumentException("Go target name must not be blank");
    }
    if (baseUrl.getHost() == null) {
      throw new IllegalArgumentException("Go target URL needs a host: " + baseUrl);
    }
  }

  /**
   * Parses {@code NAME=URL[,pid=PID]}.
   *
   * @throws IllegalArgumentException on anything else
   */
  public static GoTarget parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("Go target must be NAME=URL[,pid=PID]: '" + spec + "'");
    }
    String name = spec.substring(0, eq).strip();
    String rest = spec.substring(eq + 1).strip();
    OptionalInt pid = OptionalInt.empty();
    int comma = rest.indexOf(",pid=");
    if (comma >= 0) {
      try {
        pid = OptionalInt.of(Integer.parseInt(rest.substring(comma + 5).strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Go target pid is not a number: '" + spec + "'");
      }
      rest = rest.substring(0, comma);
    }
    URI uri;
    try {
      uri = URI.create(rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Go target URL is malformed: '" + spec + "'");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("Go target URL must be http(s): '" + spec + "'");
    }
    return new GoTarget(name, uri, pid);
  }

  /** The TCP port of the URL (the scheme's default when not given). */
  public int port() {
    if (baseUrl.getPort() > 0) {
      return baseUrl.getPort();
    }
    return "https".equals(baseUrl.getScheme()) ? 443 : 80;
  }

  public URI varsUrl() {
    return URI.create(baseUrl + "/debug/vars");
  }

  public URI goroutinesUrl() {
    return URI.create(baseUrl + "/debug/pprof/goroutine?debug=1");
  }

  public URI heapProfileUrl() {
    return URI.create(baseUrl + "/debug/pprof/heap?debug=1");
  }

  public URI pprofIndexUrl() {
    return URI.create(baseUrl + "/debug/pprof/");
  }
}
