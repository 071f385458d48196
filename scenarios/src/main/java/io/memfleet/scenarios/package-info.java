/**
 * A labelled corpus of small JVM, Go and C programs — leaks of every pool memfleet watches and
 * hard negatives that look like leaks — for judging detection on programs it has never seen.
 *
 * <ul>
 *   <li>{@link io.memfleet.scenarios.Corpus} lists the scenarios on the class path;
 *       {@link io.memfleet.scenarios.Scenario} is one parsed label (how to run the program, which
 *       rules must fire, which pool grows, the culprit), with
 *       {@link io.memfleet.scenarios.Rule}, {@link io.memfleet.scenarios.Pool} and
 *       {@link io.memfleet.scenarios.LeakRate} as its vocabulary.</li>
 *   <li>{@link io.memfleet.scenarios.ScenarioBuilds} builds a Go or C program from the sources
 *       shipped in the jar.</li>
 *   <li>{@code io.memfleet.scenarios.jvm} holds the JVM programs themselves (plain JDK, each a
 *       main class); they are programs under test, not API.</li>
 * </ul>
 *
 * <p>Threading: everything here is immutable or stateless and may be shared.
 */
package io.memfleet.scenarios;
