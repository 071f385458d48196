package io.memfleet.collector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Cgroup paths as the container runtimes write them. The first case is this development machine's
 * real /proc/self/cgroup; the container layouts are written from the runtimes' naming schemes
 * (kubelet systemd/cgroupfs drivers, containerd, CRI-O, Docker), as this machine runs none.
 */
class CgroupPathsTest {
  private static final String ID =
      "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a";

  @Test
  void memoryControllerLineOfCgroupV1WinsOverTheV2Line() {
    String captured = """
        9:name=systemd:/
        8:pids:/
        4:memory:/process_api/163de5d5f661aa09b4fca69c309bff85
        1:cpu:/
        0::/
        """;
    assertThat(CgroupPaths.memoryCgroup(captured))
        .contains("/process_api/163de5d5f661aa09b4fca69c309bff85");
    assertThat(CgroupPaths.container("/process_api/163de5d5f661aa09b4fca69c309bff85")).isEmpty();
  }

  @Test
  void cgroupV2UsesTheZeroLineAndCombinedControllerListsAreSplit() {
    assertThat(CgroupPaths.memoryCgroup("0::/user.slice/user-1000.slice/session-2.scope\n"))
        .contains("/user.slice/user-1000.slice/session-2.scope");
    assertThat(CgroupPaths.memoryCgroup("5:cpuacct,memory:/foo\n0::/\n")).contains("/foo");
    assertThat(CgroupPaths.memoryCgroup("garbage\n")).isEmpty();
  }

  @Test
  void containerdUnderSystemdDriverGivesIdAndPodUid() {
    var c = CgroupPaths.container("/kubepods.slice/kubepods-burstable.slice/"
        + "kubepods-burstable-pod6f2a1c3e_9b7d_4e21_8c55_0d1e2f3a4b5c.slice/cri-containerd-"
        + ID + ".scope");
    assertThat(c).get().extracting(CgroupPaths.Container::engine).isEqualTo("containerd");
    assertThat(c.get().containerId()).isEqualTo(ID);
    assertThat(c.get().podUid()).isEqualTo("6f2a1c3e-9b7d-4e21-8c55-0d1e2f3a4b5c");
  }

  @Test
  void criOScopeGuaranteedPod() {
    var c = CgroupPaths.container("/kubepods.slice/"
        + "kubepods-pod0a1b2c3d_4e5f_6071_8293_a4b5c6d7e8f9.slice/crio-" + ID + ".scope");
    assertThat(c.get().engine()).isEqualTo("cri-o");
    assertThat(c.get().containerId()).isEqualTo(ID);
    assertThat(c.get().podUid()).isEqualTo("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
  }

  @Test
  void criOConmonIsNotTheContainer() {
    assertThat(CgroupPaths.container("/kubepods.slice/kubepods-besteffort.slice/"
        + "kubepods-besteffort-pod0a1b2c3d_4e5f_6071_8293_a4b5c6d7e8f9.slice/crio-conmon-" + ID
        + ".scope")).isEmpty();
  }

  @Test
  void cgroupfsDriverKubepods() {
    var c = CgroupPaths.container(
        "/kubepods/besteffort/pod0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9/" + ID);
    assertThat(c.get().engine()).isEqualTo("cri");
    assertThat(c.get().containerId()).isEqualTo(ID);
    assertThat(c.get().podUid()).isEqualTo("0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9");
  }

  @Test
  void dockerCgroupfsAndSystemdLayouts() {
    var v1 = CgroupPaths.container("/docker/" + ID);
    assertThat(v1.get().engine()).isEqualTo("docker");
    assertThat(v1.get().containerId()).isEqualTo(ID);
    assertThat(v1.get().pod()).isEmpty();
    var systemd = CgroupPaths.container("/system.slice/docker-" + ID + ".scope");
    assertThat(systemd.get().containerId()).isEqualTo(ID);
  }

  @Test
  void hostAndUnknownPathsHaveNoContainer() {
    assertThat(CgroupPaths.container("/")).isEmpty();
    assertThat(CgroupPaths.container("/system.slice/ssh.service")).isEmpty();
    assertThat(CgroupPaths.container("/docker/not-an-id")).isEmpty();
    assertThat(CgroupPaths.container(null)).isEmpty();
  }
}
