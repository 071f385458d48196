package io.memfleet.k8s.kustomize;

import java.util.List;
import java.util.Map;

/**
 * The {@code images:} transformer: rewrites the name, tag or digest of every matching image in
 * any {@code containers} / {@code initContainers} list at any depth (so pod templates inside
 * custom resources are covered), and at the extra field paths a {@code configurations} file
 * declares (e.g. a FlinkDeployment's {@code spec/image}).
 */
final class Images {
  private Images() {}

  static void apply(List<Map<String, Object>> resources, Map<String, Object> image,
      List<Kustomizer.ImageFieldSpec> specs) {
    for (Map<String, Object> r : resources) {
      walk(r, image);
      for (Kustomizer.ImageFieldSpec s : specs) {
        if (s.kind() == null || s.kind().equals(r.get("kind"))) {
          Object parent = r;
          List<String> path = s.path();
          for (String key : path.subList(0, path.size() - 1)) {
            parent = parent instanceof Map<?, ?> m ? m.get(key) : null;
          }
          if (parent instanceof Map<?, ?> m) {
            rewrite(cast(m), path.get(path.size() - 1), image);
          }
        }
      }
    }
  }

  private static void walk(Object node, Map<String, Object> image) {
    if (node instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if ((e.getKey().equals("containers") || e.getKey().equals("initContainers"))
            && e.getValue() instanceof List<?> list) {
          for (Object c : list) {
            if (c instanceof Map<?, ?> cm) {
              rewrite(cast(cm), "image", image);
            }
          }
        }
        walk(e.getValue(), image);
      }
    } else if (node instanceof List<?> l) {
      l.forEach(v -> walk(v, image));
    }
  }

  private static void rewrite(Map<String, Object> holder, String field, Map<String, Object> im) {
    if (!(holder.get(field) instanceof String current)) {
      return;
    }
    ImageRef ref = ImageRef.parse(current);
    if (!ref.name().equals(im.get("name"))) {
      return;
    }
    String name = im.get("newName") instanceof String n ? n : ref.name();
    String tag = im.get("newTag") != null ? String.valueOf(im.get("newTag")) : ref.tag();
    String digest = im.get("digest") instanceof String d ? d : ref.digest();
    if (im.get("digest") != null) {
      tag = null;
    }
    holder.put(field, new ImageRef(name, tag, digest).toString());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }
}
