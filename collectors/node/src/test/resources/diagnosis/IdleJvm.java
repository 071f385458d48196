import java.util.ArrayList;
import java.util.List;

/**
 * A JVM started without any memfleet flag (DiagnosisCollectIT runs it with the source launcher,
 * {@code java IdleJvm.java}): holds some heap, starts a few threads, prints its pid, sleeps.
 */
public class IdleJvm {
  public static void main(String[] args) throws Exception {
    List<byte[]> held = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      held.add(new byte[64 * 1024]);
    }
    for (int i = 0; i < 3; i++) {
      Thread t = new Thread(() -> {
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          // exit
        }
      });
      t.setDaemon(true);
      t.start();
    }
    System.out.println("idle-jvm ready " + ProcessHandle.current().pid() + " " + held.size());
    System.out.flush();
    Thread.sleep(Long.parseLong(args.length > 0 ? args[0] : "120000"));
  }
}
