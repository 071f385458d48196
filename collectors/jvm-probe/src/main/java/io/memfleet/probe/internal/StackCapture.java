package io.memfleet.probe.internal;

import java.lang.StackWalker.StackFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The allocating stack of a sampled buffer, at most {@link #MAX_FRAMES} frames, innermost first.
 * The probe's own frames are dropped (with its hook in {@code java.nio}), so the first frame kept
 * is {@code java.nio.ByteBuffer.allocateDirect}.
 *
 * <p>Its key is the frames' class names, method names and bytecode indexes: the class and method
 * names the walker hands out are the JVM's own shared strings, so comparing keys is cheap, and no
 * line number is worked out unless the stack makes a new site (line numbers cost the most).
 */
final class StackCapture implements Function<Stream<StackFrame>, CapturedStack> {
  static final int MAX_FRAMES = 64;
  private static final String OWN_PACKAGE = StackCapture.class.getPackageName() + ".";
  private static final String HOOK_CLASS = JavaNioHook.INTERNAL_NAME.replace('/', '.');
  private static final StackWalker WALKER = StackWalker.getInstance();
  private static final StackCapture INSTANCE = new StackCapture();

  private StackCapture() {}

  /** The calling thread's stack, below the probe's frames. */
  static CapturedStack allocatingStack() {
    return WALKER.walk(INSTANCE);
  }

  @Override
  public CapturedStack apply(Stream<StackFrame> stack) {
    List<StackFrame> kept = new ArrayList<>();
    Iterator<StackFrame> it = stack.iterator();
    while (it.hasNext() && kept.size() < MAX_FRAMES) {
      StackFrame frame = it.next();
      if (kept.isEmpty() && (frame.getClassName().startsWith(OWN_PACKAGE)
          || frame.getClassName().equals(HOOK_CLASS))) {
        continue;
      }
      kept.add(frame);
    }
    return new WalkedStack(kept.toArray(new StackFrame[0]));
  }

  private static final class WalkedStack implements CapturedStack {
    private final StackFrame[] frames;
    private final FrameKey key;

    WalkedStack(StackFrame[] frames) {
      this.frames = frames;
      this.key = new FrameKey(frames);
    }

    @Override
    public Object key() {
      return key;
    }

    @Override
    public List<String> frames() {
      List<String> described = new ArrayList<>(frames.length);
      for (StackFrame frame : frames) {
        described.add(frame.getClassName() + '.' + frame.getMethodName() + ':'
            + frame.getLineNumber());
      }
      return described;
    }
  }

  private static final class FrameKey {
    private final String[] classNames;
    private final String[] methodNames;
    private final int[] bytecodeIndexes;
    private final int hash;

    FrameKey(StackFrame[] frames) {
      classNames = new String[frames.length];
      methodNames = new String[frames.length];
      bytecodeIndexes = new int[frames.length];
      int h = frames.length;
      for (int i = 0; i < frames.length; i++) {
        classNames[i] = frames[i].getClassName();
        methodNames[i] = frames[i].getMethodName();
        bytecodeIndexes[i] = frames[i].getByteCodeIndex();
        h = 31 * (31 * (31 * h + classNames[i].hashCode()) + methodNames[i].hashCode())
            + bytecodeIndexes[i];
      }
      hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof FrameKey that && hash == that.hash
          && Arrays.equals(bytecodeIndexes, that.bytecodeIndexes)
          && Arrays.equals(methodNames, that.methodNames)
          && Arrays.equals(classNames, that.classNames);
    }
  }
}
