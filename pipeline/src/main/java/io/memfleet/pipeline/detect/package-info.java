/**
 * Leak detection: {@link io.memfleet.pipeline.detect.DetectionExtension} attaches
 * {@link io.memfleet.pipeline.detect.ObservationFunction} (events → per-series, per-bucket
 * {@link io.memfleet.pipeline.detect.Observation}s), one keyed function per rule in
 * {@code detect.rules} and the alert lifecycle in {@code detect.alert}, publishing
 * {@code Alert}s to the alerts topic and ClickHouse.
 *
 * <p>Rules (names as carried by alerts): {@code live-set-growth}, {@code go-heap-growth},
 * {@code goroutine-leak}, {@code native-growth}, {@code outstanding-growth},
 * {@code oom-imminent}, {@code gc-thrashing}; each class documents what it detects and its
 * defaults. All settings: {@link io.memfleet.pipeline.detect.DetectionOptions}.
 *
 * <p>Threading: every function here is a Flink operator function; state is keyed (per process,
 * or per process and series for the rules) and bounded: series per process, each rule's
 * {@code within} or window, alert resolve timers; everything of a process is cleared on
 * {@code ProcessLifecycle} EXITED, a rule's series after its idle timeout.
 */
package io.memfleet.pipeline.detect;
