package io.memfleet.probe.internal;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every sampled direct buffer still alive, by allocating stack. Allocating threads
 * {@link #record} samples; the reporter {@link #report reports}, which first takes the buffers
 * the collector cleared off their sites, so outstanding bytes are net of churn.
 *
 * <pre>{@code
 * SampleLedger ledger = new SampleLedger(1024);
 * ledger.record(buffer, StackCapture.allocatingStack(), weight);   // any thread
 * for (SiteReading site : ledger.report()) { ... }                 // the reporter
 * }</pre>
 *
 * <p>At most {@code maxSites} stacks are told apart; samples of further stacks go to one site
 * whose only frame is {@link #OTHER_FRAME}. A site that held nothing and allocated nothing for
 * {@link #QUIET_REPORTS_BEFORE_RETIRING} reports is retired and frees its place.
 */
final class SampleLedger {
  static final String OTHER_FRAME = "<other sites: maxSites reached>";
  static final int QUIET_REPORTS_BEFORE_RETIRING = 6;

  private final int maxSites;
  /** By {@link CapturedStack#key()}. */
  private final Map<Object, AllocationSite> sites = new ConcurrentHashMap<>();
  /** Creating a site: keeps the table at maxSites however many threads race. */
  private final Object siteCreation = new Object();
  private final AllocationSite other = new AllocationSite(List.of(OTHER_FRAME), OTHER_FRAME);
  /** The sampled buffers' references must stay reachable for the collector to enqueue them. */
  private final Set<SampledBuffer> live = ConcurrentHashMap.newKeySet();
  private final ReferenceQueue<Object> collected = new ReferenceQueue<>();

  SampleLedger(int maxSites) {
    this.maxSites = maxSites;
  }

  /** Counts a sampled buffer of {@code weight} bytes against the site of {@code stack}. */
  SampledBuffer record(Object buffer, CapturedStack stack, long weight) {
    while (true) {
      AllocationSite site = siteOf(stack);
      if (site.add(weight)) {
        SampledBuffer sample = new SampledBuffer(buffer, collected, weight, site);
        live.add(sample);
        return sample;
      }
      // retired between lookup and add: its replacement is being made
    }
  }

  /** Takes the buffers the collector cleared off their sites; returns how many. */
  int drain() {
    int drained = 0;
    for (Reference<?> ref; (ref = collected.poll()) != null; drained++) {
      SampledBuffer sample = (SampledBuffer) ref;
      if (live.remove(sample)) {
        sample.site.release(sample.weight);
      }
    }
    return drained;
  }

  /**
   * Drains, then the figures of every site that holds bytes or allocated since the last report;
   * retires sites quiet for long enough.
   */
  List<SiteReading> report() {
    drain();
    List<SiteReading> readings = new ArrayList<>();
    for (AllocationSite site : sites.values()) {
      SiteReading reading = site.nextReading();
      if (reading != null) {
        readings.add(reading);
      } else if (site.retireIfQuietFor(QUIET_REPORTS_BEFORE_RETIRING)) {
        sites.remove(site.key(), site);
      }
    }
    SiteReading others = other.nextReading();
    if (others != null) {
      readings.add(others);
    }
    return readings;
  }

  /** Sites told apart now (the "other" site not counted). */
  int siteCount() {
    return sites.size();
  }

  private AllocationSite siteOf(CapturedStack stack) {
    Object key = stack.key();
    AllocationSite site = sites.get(key);
    if (site != null) {
      return site;
    }
    synchronized (siteCreation) {
      site = sites.get(key);
      if (site == null) {
        if (sites.size() >= maxSites) {
          return other;
        }
        site = new AllocationSite(stack.frames(), key);
        sites.put(key, site);
      }
      return site;
    }
  }
}
