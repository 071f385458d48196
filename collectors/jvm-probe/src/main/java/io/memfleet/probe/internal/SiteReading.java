package io.memfleet.probe.internal;

/** One site's figures for one report: what a {@code DirectBufferSite} event carries. */
record SiteReading(String frames, long outstandingBytes, long allocatedBytes, long liveSamples) {}
