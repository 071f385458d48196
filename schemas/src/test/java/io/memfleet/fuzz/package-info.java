/**
 * Fuzzing support shared by every module's parser fuzz tests (this module's test-jar): {@link
 * io.memfleet.fuzz.Mutations} makes inputs from golden files the way a mutation fuzzer does, and
 * {@link io.memfleet.fuzz.Bounded} runs the parser on one input with a time and an allocation
 * bound. The tests are jqwik properties; how many inputs each runs is jqwik's
 * {@code jqwik.tries.default} (a few thousand in the build, {@code -Djqwik.tries.default=10000000}
 * for a long run; see the READMEs' fuzzing sections).
 */
package io.memfleet.fuzz;
