package io.memfleet.probe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

class AllocateDirectTransformerTest {
  @Test
  void allocateDirectOfThisJdkCallsTheHookBeforeReturning() throws IOException {
    byte[] rewritten = AllocateDirectTransformer.rewrite(classFile("/java/nio/ByteBuffer.class"));

    assertThat(callsIn(rewritten, "allocateDirect")).containsExactly(
        "java/nio/DirectByteBuffer.<init>",
        JavaNioHook.INTERNAL_NAME + "." + JavaNioHook.METHOD);
    assertThat(callsIn(rewritten, "allocate")).doesNotContain(
        JavaNioHook.INTERNAL_NAME + "." + JavaNioHook.METHOD);
  }

  @Test
  void otherClassesPassUntouched() throws IOException {
    AllocateDirectTransformer transformer = new AllocateDirectTransformer();
    byte[] charBuffer = classFile("/java/nio/CharBuffer.class");

    assertThat(transformer.transform(null, "java/nio/CharBuffer", null, null, charBuffer))
        .isNull();
    assertThat(AllocateDirectTransformer.rewrite(charBuffer)).isNull();
    assertThat(transformer.transform(getClass().getClassLoader(), "java/nio/ByteBuffer", null,
        null, classFile("/java/nio/ByteBuffer.class"))).isNull();
  }

  private static byte[] classFile(String resource) throws IOException {
    try (InputStream in = Object.class.getResourceAsStream(resource)) {
      return in.readAllBytes();
    }
  }

  private static List<String> callsIn(byte[] classFile, String method) {
    List<String> calls = new ArrayList<>();
    new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor,
          String signature, String[] exceptions) {
        if (!name.equals(method)) {
          return null;
        }
        return new MethodVisitor(Opcodes.ASM9) {
          @Override
          public void visitMethodInsn(int opcode, String owner, String callee, String desc,
              boolean isInterface) {
            calls.add(owner + "." + callee);
          }
        };
      }
    }, 0);
    return calls;
  }
}
