/**
 * The probe's machinery, loaded by the system class loader (one copy per JVM); the one class of it
 * in {@code java.nio} is generated ({@link io.memfleet.probe.internal.JavaNioHook}).
 *
 * <p>Threading: {@link io.memfleet.probe.internal.AllocationHook} runs on every thread that calls
 * {@code ByteBuffer.allocateDirect}; an unsampled call only draws a random number. Sampled calls
 * update {@link io.memfleet.probe.internal.SampleLedger}, which is thread-safe (sites are updated
 * under their own monitor, created under one table-wide monitor). The reference queue is drained
 * and sites are read only on JFR's periodic-event thread
 * ({@link io.memfleet.probe.internal.SiteReporter}). Loading and stopping are serialised in
 * {@link io.memfleet.probe.internal.ProbeRuntime}. Nothing here throws into application code.
 */
package io.memfleet.probe.internal;
