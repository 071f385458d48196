package io.memfleet.collector.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists the section names of an ELF file by reading only its headers and the section-name
 * string table (a few KiB even for large binaries), so runtime detection stays cheap.
 */
public final class ElfSections {
  private ElfSections() {}

  /** Section names, empty when the file is not ELF or its headers are unusable. */
  public static List<String> names(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer ident = read(ch, 0, 64);
      if (ident.remaining() < 52 || ident.getInt(0) != 0x7f454c46) {
        return List.of();
      }
      boolean is64 = ident.get(4) == 2;
      ident.order(ident.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
      long shoff = is64 ? ident.getLong(0x28) : Integer.toUnsignedLong(ident.getInt(0x20));
      int shentsize = Short.toUnsignedInt(ident.getShort(is64 ? 0x3a : 0x2e));
      int shnum = Short.toUnsignedInt(ident.getShort(is64 ? 0x3c : 0x30));
      int shstrndx = Short.toUnsignedInt(ident.getShort(is64 ? 0x3e : 0x32));
      if (shoff == 0 || shnum == 0 || shnum > 4096 || shstrndx >= shnum || shentsize < 40) {
        return List.of();
      }
      ByteBuffer table = read(ch, shoff, shnum * shentsize).order(ident.order());
      int strBase = shstrndx * shentsize;
      long strOffset = is64 ? table.getLong(strBase + 0x18)
          : Integer.toUnsignedLong(table.getInt(strBase + 0x10));
      long strSize = is64 ? table.getLong(strBase + 0x20)
          : Integer.toUnsignedLong(table.getInt(strBase + 0x14));
      if (strSize <= 0 || strSize > 1 << 20) {
        return List.of();
      }
      ByteBuffer strings = read(ch, strOffset, (int) strSize);
      List<String> names = new ArrayList<>(shnum);
      for (int i = 0; i < shnum; i++) {
        int nameOffset = table.getInt(i * shentsize);
        if (nameOffset >= 0 && nameOffset < strings.limit()) {
          int end = nameOffset;
          while (end < strings.limit() && strings.get(end) != 0) {
            end++;
          }
          byte[] name = new byte[end - nameOffset];
          strings.get(nameOffset, name);
          names.add(new String(name, StandardCharsets.US_ASCII));
        }
      }
      return names;
    }
  }

  private static ByteBuffer read(FileChannel ch, long pos, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      if (ch.read(buf, pos + buf.position()) < 0) {
        break;
      }
    }
    buf.flip();
    return buf;
  }
}
