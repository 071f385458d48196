package io.memfleet.collector.ebpf.bpftrace;

import io.memfleet.collector.ebpf.stack.Frame;
import io.memfleet.collector.ebpf.stack.FrameLine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses the text of one memfleet script {@code printf} into a {@link ProbeEvent}.
 *
 * <p>The text is {@code name key=value key=value…} on the first line, then optionally the
 * {@code ustack(perf, N)} lines: {@code <tab>7f52d3fda9b3 __mmap64+19 (/usr/lib/…/libc.so.6)}.
 * A {@code comm=} field takes the rest of its line (command names may contain spaces).
 *
 * <pre>{@code
 * ProbeEvent e = new ProbeEventParser().parse(printf.text());
 * }</pre>
 *
 * @throws IllegalArgumentException from {@link #parse} for text that does not follow the format
 */
public final class ProbeEventParser {
  private static final Pattern NAME = Pattern.compile("[a-z_]+");

  public ProbeEvent parse(String text) {
    String[] lines = text.split("\n");
    if (lines.length == 0 || lines[0].isBlank()) {
      throw new IllegalArgumentException("empty event");
    }
    String head = lines[0].strip();
    int space = head.indexOf(' ');
    String name = space < 0 ? head : head.substring(0, space);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("bad event name '" + name + "'");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    // walked by index: taking the rest of the line as a new string per field was quadratic
    int at = space < 0 ? head.length() : space + 1;
    while (at < head.length()) {
      int eq = head.indexOf('=', at);
      if (eq <= at) {
        throw new IllegalArgumentException("field without '=': '"
            + abbreviate(head.substring(at)) + "'");
      }
      String key = head.substring(at, eq);
      if (key.indexOf(' ') >= 0) {
        throw new IllegalArgumentException("bad field key '" + abbreviate(key) + "'");
      }
      String value;
      if (key.equals("comm")) {
        value = head.substring(eq + 1);
        at = head.length();
      } else {
        int end = head.indexOf(' ', eq);
        value = end < 0 ? head.substring(eq + 1) : head.substring(eq + 1, end);
        at = end < 0 ? head.length() : end + 1;
        while (at < head.length() && Character.isWhitespace(head.charAt(at))) {
          at++;
        }
      }
      fields.put(key, value);
    }
    if (!fields.containsKey("ts") || !fields.containsKey("pid")) {
      throw new IllegalArgumentException("event '" + name + "' lacks ts= or pid=");
    }
    List<Frame> stack = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isBlank()) {
        continue;
      }
      Frame frame = FrameLine.parse(lines[i], false, false);
      if (frame == null) {
        throw new IllegalArgumentException("bad stack frame '" + abbreviate(lines[i].strip())
            + "'");
      }
      stack.add(frame);
    }
    ProbeEvent event = new ProbeEvent(name, fields, stack);
    event.timestampNs();
    event.pid();
    return event;
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
