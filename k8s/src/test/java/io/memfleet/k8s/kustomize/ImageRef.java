package io.memfleet.k8s.kustomize;

/**
 * A container image reference split into name, tag and digest, as the {@code images:}
 * transformer matches and rewrites it. The tag is what follows the last ':' after the last '/',
 * so a registry port ({@code host:5000/app}) stays part of the name.
 *
 * <pre>{@code
 * ImageRef.parse("memfleet/memfleet-collector:0.1.0").tag(); // "0.1.0"
 * }</pre>
 */
public record ImageRef(String name, String tag, String digest) {

  /** Parses {@code name[:tag][@digest]}. */
  public static ImageRef parse(String image) {
    String digest = null;
    int at = image.indexOf('@');
    String rest = image;
    if (at >= 0) {
      digest = image.substring(at + 1);
      rest = image.substring(0, at);
    }
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      return new ImageRef(rest.substring(0, colon), rest.substring(colon + 1), digest);
    }
    return new ImageRef(rest, null, digest);
  }

  @Override
  public String toString() {
    return name + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
