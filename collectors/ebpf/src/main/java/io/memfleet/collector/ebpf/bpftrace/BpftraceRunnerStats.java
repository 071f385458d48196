package io.memfleet.collector.ebpf.bpftrace;

/**
 * A snapshot of what a {@link BpftraceRunner} has seen since it started.
 *
 * @param events script events parsed and handed to the listener
 * @param starts times bpftrace was started (1 + restarts that got as far as a process)
 * @param attaches times bpftrace reported its probes attached
 * @param restarts times the runner started bpftrace again after it died
 * @param malformedLines stdout lines that were not valid bpftrace JSON or not a valid event
 * @param unknownLines valid JSON of a kind the scripts do not produce
 * @param errorLines stderr lines that were errors (known-harmless warnings excluded)
 * @param warningLines stderr lines that were warnings or known-harmless messages
 * @param lostEvents events bpftrace reported lost (perf buffer full)
 * @param listenerFailures events the listener threw on
 * @param lostStacks stacks bpftrace could not look up (its stack map keeps every stack it saw;
 *     a new stack that collides with a stored one is lost: {@code failed to look up stack id})
 * @param recycles times the runner restarted bpftrace to empty its stack map
 * @param lastProblem the most recent problem, or {@code null}
 * @param finished whether the runner stopped for good (closed, or its target process exited)
 */
public record BpftraceRunnerStats(
    long events,
    long starts,
    long attaches,
    long restarts,
    long malformedLines,
    long unknownLines,
    long errorLines,
    long warningLines,
    long lostEvents,
    long listenerFailures,
    long lostStacks,
    long recycles,
    String lastProblem,
    boolean finished) {}
