package io.memfleet.probe.internal;

import java.nio.ByteBuffer;

/**
 * What {@code ByteBuffer.allocateDirect} reaches, through {@link JavaNioHook}, just before it
 * returns the new buffer: the installed recorder, if any. It never throws, and does nothing while
 * no recorder is installed (after {@code stop} and before the class is retransformed back).
 */
final class AllocationHook {
  private static volatile AllocationRecorder recorder;

  private AllocationHook() {}

  static void onAllocateDirect(ByteBuffer buffer, int capacity) {
    AllocationRecorder current = recorder;
    if (current == null) {
      return;
    }
    try {
      current.onAllocation(buffer, capacity);
    } catch (Throwable t) {
      ProbeLog.once("hook", "a direct allocation was not recorded", t);
    }
  }

  static void install(AllocationRecorder next) {
    recorder = next;
  }

  static void uninstall() {
    recorder = null;
  }
}
