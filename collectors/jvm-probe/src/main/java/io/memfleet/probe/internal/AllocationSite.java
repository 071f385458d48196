package io.memfleet.probe.internal;

import java.util.List;

/**
 * The sampled direct buffers of one allocating stack: estimated bytes allocated, estimated bytes
 * still held, and how many sampled buffers are alive. Updated under its own monitor by allocating
 * threads and by the reporter; a site that held nothing and changed nothing for a while is
 * retired, after which it takes no more samples (the ledger makes a fresh one for that stack).
 */
final class AllocationSite {
  private final Object key;
  private final String joinedFrames;
  private long allocatedBytes;
  private long outstandingBytes;
  private long liveSamples;
  private long reportedAllocatedBytes;
  private int quietReports;
  private boolean retired;

  AllocationSite(List<String> frames, Object key) {
    this.key = key;
    this.joinedFrames = String.join("\n", frames);
  }

  /** The key of its stack in the ledger. */
  Object key() {
    return key;
  }

  /** Counts a sampled buffer; false if the site was retired meanwhile and took nothing. */
  synchronized boolean add(long weight) {
    if (retired) {
      return false;
    }
    allocatedBytes += weight;
    outstandingBytes += weight;
    liveSamples++;
    return true;
  }

  /** A sampled buffer of this site was collected. */
  synchronized void release(long weight) {
    outstandingBytes -= weight;
    liveSamples--;
  }

  /** This period's figures, or null when the site holds nothing and allocated nothing since. */
  synchronized SiteReading nextReading() {
    boolean allocated = allocatedBytes != reportedAllocatedBytes;
    if (outstandingBytes <= 0 && !allocated) {
      quietReports++;
      return null;
    }
    quietReports = 0;
    reportedAllocatedBytes = allocatedBytes;
    return new SiteReading(joinedFrames, outstandingBytes, allocatedBytes, liveSamples);
  }

  /** Retires the site if it was quiet for {@code reports} reports in a row; true if retired. */
  synchronized boolean retireIfQuietFor(int reports) {
    if (quietReports >= reports && liveSamples == 0) {
      retired = true;
    }
    return retired;
  }
}
