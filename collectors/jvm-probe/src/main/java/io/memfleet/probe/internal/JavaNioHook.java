package io.memfleet.probe.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.function.ObjIntConsumer;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The class {@code ByteBuffer.allocateDirect} calls once rewritten, defined at run time in
 * {@code java.nio} itself (the bootstrap loader, {@code java.base}), where {@code ByteBuffer} can
 * link to it without a read edge and without the probe's jar on the bootstrap class path (which
 * would cost the JVM class-data sharing for every class loaded after it, and print a warning in
 * the application's output). It holds one field, the consumer the probe installs:
 *
 * <pre>{@code
 * final class MemfleetDirectBufferHook {
 *   static volatile ObjIntConsumer<ByteBuffer> sink;
 *   static void onAllocateDirect(ByteBuffer buffer, int capacity) {
 *     ObjIntConsumer<ByteBuffer> s = sink;
 *     if (s != null) s.accept(buffer, capacity);
 *   }
 * }
 * }</pre>
 *
 * <p>Defined once per JVM; a later load of the probe finds it and sets the field again.
 * {@code java.base} must open {@code java.nio} to the probe first
 * ({@code Instrumentation.redefineModule}).
 */
final class JavaNioHook {
  static final String INTERNAL_NAME = "java/nio/MemfleetDirectBufferHook";
  static final String METHOD = "onAllocateDirect";
  static final String DESCRIPTOR = "(Ljava/nio/ByteBuffer;I)V";
  private static final String SINK = "sink";
  private static final String SINK_TYPE = "Ljava/util/function/ObjIntConsumer;";

  private final VarHandle sink;

  private JavaNioHook(VarHandle sink) {
    this.sink = sink;
  }

  /** The hook class, defined now unless an earlier load of the probe did. */
  static JavaNioHook defineOrFind() throws ReflectiveOperationException {
    MethodHandles.Lookup inJavaNio =
        MethodHandles.privateLookupIn(ByteBuffer.class, MethodHandles.lookup());
    Class<?> hook;
    try {
      hook = inJavaNio.findClass(INTERNAL_NAME.replace('/', '.'));
    } catch (ClassNotFoundException notYet) {
      hook = inJavaNio.defineClass(classFile());
    }
    return new JavaNioHook(
        inJavaNio.findStaticVarHandle(hook, SINK, ObjIntConsumer.class));
  }

  /** Where {@code allocateDirect}'s buffers go from now on; null for nowhere. */
  void sink(ObjIntConsumer<ByteBuffer> consumer) {
    sink.setVolatile(consumer);
  }

  /** The class file of {@code java.nio.MemfleetDirectBufferHook} (Java 17 class version). */
  static byte[] classFile() {
    ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS | ClassWriter.COMPUTE_FRAMES);
    cw.visit(Opcodes.V17, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, INTERNAL_NAME, null,
        "java/lang/Object", null);
    cw.visitField(Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE, SINK, SINK_TYPE,
        "Ljava/util/function/ObjIntConsumer<Ljava/nio/ByteBuffer;>;", null).visitEnd();
    MethodVisitor m = cw.visitMethod(Opcodes.ACC_STATIC, METHOD, DESCRIPTOR, null, null);
    m.visitCode();
    Label none = new Label();
    m.visitFieldInsn(Opcodes.GETSTATIC, INTERNAL_NAME, SINK, SINK_TYPE);
    m.visitVarInsn(Opcodes.ASTORE, 2);
    m.visitVarInsn(Opcodes.ALOAD, 2);
    m.visitJumpInsn(Opcodes.IFNULL, none);
    m.visitVarInsn(Opcodes.ALOAD, 2);
    m.visitVarInsn(Opcodes.ALOAD, 0);
    m.visitVarInsn(Opcodes.ILOAD, 1);
    m.visitMethodInsn(Opcodes.INVOKEINTERFACE, "java/util/function/ObjIntConsumer", "accept",
        "(Ljava/lang/Object;I)V", true);
    m.visitLabel(none);
    m.visitInsn(Opcodes.RETURN);
    m.visitMaxs(0, 0);
    m.visitEnd();
    cw.visitEnd();
    return cw.toByteArray();
  }
}
