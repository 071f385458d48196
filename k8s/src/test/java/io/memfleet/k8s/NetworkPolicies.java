package io.memfleet.k8s;

import static io.memfleet.k8s.kustomize.YamlDocs.at;

import java.util.List;
import java.util.Map;

/**
 * Evaluates Kubernetes NetworkPolicies for a connection between two pods, as the API defines
 * them: a pod selected by no policy of a direction is open in that direction; otherwise some
 * rule of a selecting policy must admit the peer and the port. Only label selectors with
 * {@code matchLabels} are understood (memfleet's policies use nothing else); an
 * {@code matchExpressions} or {@code ipBlock} peer fails loudly rather than being misread.
 *
 * <pre>{@code
 * var policies = new NetworkPolicies(K8sTree.ofKind(K8sTree.build("base"), "NetworkPolicy"));
 * boolean ok = policies.allows(collector, broker, 9092);
 * }</pre>
 */
final class NetworkPolicies {
  /** A pod: its namespace and labels. */
  record Pod(String namespace, Map<String, Object> labels) {}

  private final List<Map<String, Object>> policies;

  NetworkPolicies(List<Map<String, Object>> policies) {
    this.policies = policies;
  }

  /** Whether a TCP connection from {@code from} to {@code to} on {@code port} is allowed. */
  boolean allows(Pod from, Pod to, int port) {
    return admits(from, to, port, "Egress", "egress", "to")
        && admits(to, from, port, "Ingress", "ingress", "from");
  }

  /** Checks the policies that select {@code self} for traffic with {@code peer}. */
  private boolean admits(Pod self, Pod peer, int port, String type, String rulesKey,
      String peersKey) {
    boolean selected = false;
    for (Map<String, Object> p : policies) {
      if (!self.namespace().equals(at(p, "metadata", "namespace"))
          || !matches(at(p, "spec", "podSelector"), self.labels())
          || !((List<?>) at(p, "spec", "policyTypes")).contains(type)) {
        continue;
      }
      selected = true;
      List<Map<String, Object>> rules = at(p, "spec", rulesKey);
      for (Map<String, Object> rule : rules == null ? List.<Map<String, Object>>of() : rules) {
        if (peerMatches(rule.get(peersKey), peer, (String) at(p, "metadata", "namespace"))
            && portMatches(rule.get("ports"), port)) {
          return true;
        }
      }
    }
    return !selected;
  }

  @SuppressWarnings("unchecked")
  private static boolean peerMatches(Object peers, Pod peer, String policyNamespace) {
    if (peers == null) {
      return true;
    }
    for (Map<String, Object> p : (List<Map<String, Object>>) peers) {
      if (p.containsKey("ipBlock")) {
        throw new IllegalArgumentException("ipBlock peers are not evaluated: " + p);
      }
      Map<String, Object> nsSel = (Map<String, Object>) p.get("namespaceSelector");
      Map<String, Object> podSel = (Map<String, Object>) p.get("podSelector");
      boolean nsOk = nsSel == null ? peer.namespace().equals(policyNamespace)
          : matches(nsSel, Map.of("kubernetes.io/metadata.name", peer.namespace()));
      boolean podOk = podSel == null || matches(podSel, peer.labels());
      if (nsOk && podOk) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private static boolean portMatches(Object ports, int port) {
    if (ports == null) {
      return true;
    }
    for (Map<String, Object> p : (List<Map<String, Object>>) ports) {
      if (p.get("port") == null || ((Integer) p.get("port")) == port) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private static boolean matches(Map<String, Object> selector, Map<String, Object> labels) {
    if (selector == null) {
      return true;
    }
    if (selector.containsKey("matchExpressions")) {
      throw new IllegalArgumentException("matchExpressions are not evaluated: " + selector);
    }
    Map<String, Object> want = (Map<String, Object>) selector.get("matchLabels");
    return want == null || want.entrySet().stream()
        .allMatch(e -> String.valueOf(e.getValue()).equals(String.valueOf(labels.get(e.getKey()))));
  }
}
