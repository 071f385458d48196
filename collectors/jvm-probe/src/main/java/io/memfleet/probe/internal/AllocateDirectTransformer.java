package io.memfleet.probe.internal;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites {@code java.nio.ByteBuffer.allocateDirect(int)} so that each of its returns first
 * calls {@code java.nio.MemfleetDirectBufferHook.onAllocateDirect} ({@link JavaNioHook}) with the
 * new buffer and the capacity. {@code allocateDirect} is the public entry to direct buffers, unchanged from JDK
 * 17 to 25, where {@code DirectByteBuffer}'s constructors are not. Only the method body changes,
 * as retransformation requires; every other class passes untouched.
 */
final class AllocateDirectTransformer implements ClassFileTransformer {
  static final String TARGET_CLASS = "java/nio/ByteBuffer";
  static final String TARGET_METHOD = "allocateDirect";
  static final String TARGET_DESCRIPTOR = "(I)Ljava/nio/ByteBuffer;";

  private volatile boolean rewrote;

  /** Whether the last transformation found and rewrote {@code allocateDirect}. */
  boolean rewrote() {
    return rewrote;
  }

  @Override
  public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain, byte[] classfileBuffer) {
    if (loader != null || !TARGET_CLASS.equals(className)) {
      return null;
    }
    try {
      byte[] rewritten = rewrite(classfileBuffer);
      rewrote = rewritten != null;
      return rewritten;
    } catch (Throwable t) {
      ProbeLog.once("transform", "ByteBuffer left unprobed", t);
      rewrote = false;
      return null;
    }
  }

  /** The class with {@code allocateDirect} rewritten, or null if the class has no such method. */
  static byte[] rewrite(byte[] byteBufferClass) {
    ClassReader reader = new ClassReader(byteBufferClass);
    ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
    boolean[] found = new boolean[1];
    reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor,
          String signature, String[] exceptions) {
        MethodVisitor method = super.visitMethod(access, name, descriptor, signature, exceptions);
        if ((access & Opcodes.ACC_STATIC) != 0 && TARGET_METHOD.equals(name)
            && TARGET_DESCRIPTOR.equals(descriptor)) {
          found[0] = true;
          return new HookBeforeReturn(method);
        }
        return method;
      }
    }, 0);
    return found[0] ? writer.toByteArray() : null;
  }

  /**
   * {@code return buffer;} becomes
   * {@code MemfleetDirectBufferHook.onAllocateDirect(buffer, capacity); return buffer;}.
   */
  private static final class HookBeforeReturn extends MethodVisitor {
    HookBeforeReturn(MethodVisitor next) {
      super(Opcodes.ASM9, next);
    }

    @Override
    public void visitInsn(int opcode) {
      if (opcode == Opcodes.ARETURN) {
        super.visitInsn(Opcodes.DUP);
        super.visitVarInsn(Opcodes.ILOAD, 0);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, JavaNioHook.INTERNAL_NAME,
            JavaNioHook.METHOD, JavaNioHook.DESCRIPTOR, false);
      }
      super.visitInsn(opcode);
    }
  }
}
