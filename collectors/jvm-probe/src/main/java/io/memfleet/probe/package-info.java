/**
 * The direct-buffer probe: a Java agent ({@link io.memfleet.probe.DirectBufferProbe}) that tells
 * which code holds the JVM's direct memory, reported as JFR events
 * ({@link io.memfleet.probe.DirectBufferSite}) in the JVM's own recording. Everything else is in
 * {@code internal}.
 */
package io.memfleet.probe;
