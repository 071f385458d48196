package io.memfleet.collector.ebpf.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memfleet.localstack.testing.Capabilities;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfImageTest {
  @TempDir Path dir;

  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  @Test
  void recognisesTheCallInstructionsCompilersEmit() {
    // call rel32 (e8 xx xx xx xx), as in "call malloc@plt"
    assertThat(ElfImage.endsWithCall(bytes(0x90, 0x90, 0xe8, 0x2d, 0xfe, 0xff, 0xff))).isTrue();
    // call *%rax (ff d0), call *%r11 (41 ff d3)
    assertThat(ElfImage.endsWithCall(bytes(0, 0, 0, 0, 0, 0xff, 0xd0))).isTrue();
    assertThat(ElfImage.endsWithCall(bytes(0, 0, 0, 0, 0x41, 0xff, 0xd3))).isTrue();
    // call *0x18(%rax) (ff 50 18), call *0x2fe2(%rip) (ff 15 e2 2f 00 00)
    assertThat(ElfImage.endsWithCall(bytes(0, 0, 0, 0, 0xff, 0x50, 0x18))).isTrue();
    assertThat(ElfImage.endsWithCall(bytes(0, 0xff, 0x15, 0xe2, 0x2f, 0x00, 0x00))).isTrue();
    // not calls: jmp *%rax (ff e0), push (ff 30), plain data, a mov
    assertThat(ElfImage.endsWithCall(bytes(0, 0, 0, 0, 0, 0xff, 0xe0))).isFalse();
    assertThat(ElfImage.endsWithCall(bytes(0, 0, 0, 0, 0, 0xff, 0x30))).isFalse();
    assertThat(ElfImage.endsWithCall(bytes(0, 0, 0, 0, 0, 0, 0))).isFalse();
    assertThat(ElfImage.endsWithCall(bytes(0x48, 0x89, 0xc7, 0x48, 0x89, 0xc6, 0x90))).isFalse();
  }

  @Test
  void findsFunctionSymbolsOfTheRealCLibrary() throws IOException {
    Path libc = Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6");
    Capabilities.require(Files.isReadable(libc), "glibc at " + libc);
    Capabilities.require(Files.isExecutable(Path.of("/usr/bin/readelf")), "readelf (binutils)");
    ElfImage image = ElfImage.read(libc);
    assertThat(image.symbolCount()).isGreaterThan(1000);
    // Debian's libc: .dynsym only; in the shared object file offsets equal addresses in the
    // text segment, so an exported function's own value must resolve to its name (or an alias)
    long malloc = dynamicSymbolValue(libc, "malloc");
    assertThat(image.symbolAtOffset(malloc)).get().asString().contains("malloc");
    assertThat(image.symbolAtOffset(malloc + 1)).isEqualTo(image.symbolAtOffset(malloc));
  }

  @Test
  void rejectsWhatIsNotAnElfFile() throws IOException {
    Path text = Files.writeString(dir.resolve("x.so"), "not an ELF file at all, just text");
    assertThatThrownBy(() -> ElfImage.read(text)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a 64-bit");
    ByteBuffer truncated = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    truncated.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1).putLong(0x20, 1 << 20)
        .putShort(0x36, (short) 56).putShort(0x38, (short) 1);
    assertThatThrownBy(() -> ElfImage.parse(truncated, "cut")).isInstanceOf(IOException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void addsTheSymbolsOfTheDebugFileNamedByTheBuildId() throws IOException {
    Path libc = Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6");
    Capabilities.require(Files.isReadable(libc), "glibc at " + libc);
    ElfImage plain = ElfImage.read(libc);
    String id = plain.buildId();
    assertThat(id).matches("[0-9a-f]{40}");
    Path debug = Path.of("/usr/lib/debug/.build-id", id.substring(0, 2), id.substring(2)
        + ".debug");
    Capabilities.require(Files.isReadable(debug), "glibc's debug symbols (apt-get install "
        + "libc6-dbg)");
    ElfImage full = ElfImage.readWithDebugSymbols(libc, List.of(dir, Path.of("/")));
    assertThat(plain.definesFunction("_int_malloc")).isFalse();
    assertThat(full.definesFunction("_int_malloc")).isTrue();
    assertThat(full.symbolCount()).isGreaterThan(plain.symbolCount());
    long malloc = dynamicSymbolValue(libc, "malloc");
    assertThat(full.symbolAtOffset(malloc)).isEqualTo(plain.symbolAtOffset(malloc));
    // no debug file under a root: the file's own symbols
    assertThat(ElfImage.readWithDebugSymbols(libc, List.of(dir)).symbolCount())
        .isEqualTo(plain.symbolCount());
  }

  /** The value of a dynamic symbol as binutils' readelf prints it (independent of ElfImage). */
  static long dynamicSymbolValue(Path file, String name) throws IOException {
    try {
      Process p = new ProcessBuilder("readelf", "-W", "--dyn-syms", file.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      for (String line : out.split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 8 && f[3].equals("FUNC") && f[7].equals(name + "@@GLIBC_2.2.5")) {
          return Long.parseLong(f[1], 16);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new AssertionError("readelf did not list " + name);
  }
}
