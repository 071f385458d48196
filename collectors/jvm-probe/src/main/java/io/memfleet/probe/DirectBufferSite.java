package io.memfleet.probe;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * One allocation site of direct buffers, as the probe last saw it: the stack that allocated them,
 * the bytes its buffers still hold, and the bytes it allocated since the probe was loaded. Both
 * byte counts are estimates from sampled allocations, unbiased, net of buffers already collected.
 *
 * <p>A periodic event. {@code @Period} is how often JFR asks the probe (1 s unless the recording
 * sets another period for {@code memfleet.DirectBufferSite}); the probe reports at most once per
 * its own {@code period} option (10 s by default), so reports come every {@code max} of the two.
 * An annotation cannot carry the runtime option, hence the two settings.
 *
 * <p>The field names are a contract with memfleet's JFR repository reader.
 */
@Name(DirectBufferSite.NAME)
@Label("Direct Buffer Site")
@Category({"memfleet"})
@Description("A stack that allocated direct ByteBuffers, with the bytes its live buffers hold")
@StackTrace(false)
@Period("1 s")
public final class DirectBufferSite extends Event {
  public static final String NAME = "memfleet.DirectBufferSite";

  @Label("Frames")
  @Description("The allocating stack, innermost first, one pkg.Class.method:line per line")
  public String frames;

  @Label("Outstanding")
  @Description("Estimated bytes of this site's direct buffers that are still reachable")
  @DataAmount
  public long outstandingBytes;

  @Label("Allocated")
  @Description("Estimated bytes this site allocated since the probe was loaded")
  @DataAmount
  public long allocatedBytes;

  @Label("Live Samples")
  @Description("Sampled buffers of this site not yet collected")
  public long liveSamples;
}
