package io.memfleet.scenarios.jvm.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The ordinary work of a service, that leaks nothing: every request builds a response — a
 * header string, a few line items and a payload — that waits in a bounded window of recent
 * responses (as in a send queue) until newer ones overwrite it. The garbage escapes (the JIT
 * cannot scalar-replace it) and dies young, so the collector has real work at a steady rate.
 *
 * <pre>{@code
 * RequestTraffic traffic = new RequestTraffic(16 * 1024 * 1024, 2048);   // 16 MiB/s
 * while (loop.next()) { traffic.serveDue(); }
 * }</pre>
 *
 * <p>Not thread-safe: one per loop.
 */
public final class RequestTraffic {
  /** Average bytes a request allocates (payload 2–12 KiB plus header and items). */
  public static final int MEAN_REQUEST_BYTES = 8 * 1024;

  private final Pace requests;
  private final Response[] window;
  private final SplittableRandom random = new SplittableRandom(42);
  private long served;
  private long checksum;

  /**
   * @param bytesPerSecond request-scoped allocation rate
   * @param window how many recent responses stay reachable (their lifetime, in requests)
   */
  public RequestTraffic(double bytesPerSecond, int window) {
    this.requests = Pace.ofBytes(bytesPerSecond, MEAN_REQUEST_BYTES);
    this.window = new Response[Math.max(1, window)];
  }

  /** Serves the requests due now. */
  public void serveDue() {
    for (long n = requests.due(); n > 0; n--) {
      Response r = handle(served);
      window[(int) (served % window.length)] = r;
      checksum += r.payload.length + r.items.size();
      served++;
    }
  }

  /** Requests served so far. */
  public long served() {
    return served;
  }

  private Response handle(long requestId) {
    int payloadBytes = 2048 + random.nextInt(10 * 1024);
    byte[] payload = new byte[payloadBytes];
    for (int i = 0; i < payloadBytes; i += 256) {
      payload[i] = (byte) (requestId + i);
    }
    List<LineItem> items = new ArrayList<>();
    int count = 2 + random.nextInt(8);
    for (int i = 0; i < count; i++) {
      items.add(new LineItem("sku-" + random.nextInt(100_000), random.nextInt(10),
          random.nextDouble() * 100));
    }
    String header = "HTTP/1.1 200 OK\r\nx-request-id: " + requestId + "\r\ncontent-length: "
        + payloadBytes + "\r\n";
    return new Response(header.getBytes(StandardCharsets.US_ASCII), items, payload);
  }

  @Override
  public String toString() {
    return "served=" + served + " checksum=" + checksum;
  }

  private record LineItem(String sku, int quantity, double price) {}

  private record Response(byte[] header, List<LineItem> items, byte[] payload) {}
}
