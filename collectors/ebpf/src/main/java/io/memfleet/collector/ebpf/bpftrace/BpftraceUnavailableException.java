package io.memfleet.collector.ebpf.bpftrace;

/** bpftrace cannot run here; the message says why and what to do about it. */
public final class BpftraceUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BpftraceUnavailableException(String message) {
    super(message);
  }
}
