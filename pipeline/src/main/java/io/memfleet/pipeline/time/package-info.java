/**
 * One timeline: per host boot and clock domain, {@link io.memfleet.pipeline.time.ClockModel}
 * fits offset and drift from ClockSync samples, and
 * {@link io.memfleet.pipeline.time.ClockAlignFunction} converts every event to UTC nanoseconds
 * with an error bound, holding (bounded) the events of a host that has no calibration yet, and
 * reports each model as it changes ({@link io.memfleet.pipeline.time.ClockCalibration}, the rows
 * of ClickHouse's {@code clock_calibration}).
 *
 * <p>Threading: Flink calls each function instance from one thread; {@code ClockModel} is not
 * thread-safe and lives inside keyed state.
 */
package io.memfleet.pipeline.time;
