package io.memfleet.collector.ebpf.bpftrace;

import io.memfleet.collector.ebpf.stack.Frame;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
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
  private static final Pattern FRAME =
      Pattern.compile("^\\s*([0-9a-fA-F]+)\\s+(\\S.*?)(?:\\s+\\(([^)]*)\\))?\\s*$");

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
    String rest = space < 0 ? "" : head.substring(space + 1);
    while (!rest.isEmpty()) {
      int eq = rest.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("field without '=': '" + rest + "'");
      }
      String key = rest.substring(0, eq);
      if (key.contains(" ")) {
        throw new IllegalArgumentException("bad field key '" + key + "'");
      }
      String value;
      if (key.equals("comm")) {
        value = rest.substring(eq + 1);
        rest = "";
      } else {
        int end = rest.indexOf(' ', eq);
        value = end < 0 ? rest.substring(eq + 1) : rest.substring(eq + 1, end);
        rest = end < 0 ? "" : rest.substring(end + 1).stripLeading();
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
      Matcher m = FRAME.matcher(lines[i]);
      if (!m.matches()) {
        throw new IllegalArgumentException("bad stack frame '" + lines[i].strip() + "'");
      }
      stack.add(new Frame(Long.parseUnsignedLong(m.group(1), 16), Frame.symbolOf(m.group(2)),
          m.group(3)));
    }
    ProbeEvent event = new ProbeEvent(name, fields, stack);
    event.timestampNs();
    event.pid();
    return event;
  }
}
