package io.storageconnect.gateway.reload;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a reload changes in one map (assets by id, connections by account): keys added, keys whose
 * value is no longer equal, keys removed. Immutable; pure.
 */
public record Changes(Set<String> added, Set<String> changed, Set<String> removed) {
  public static final Changes NONE = new Changes(Set.of(), Set.of(), Set.of());

  public Changes {
    added = Set.copyOf(added);
    changed = Set.copyOf(changed);
    removed = Set.copyOf(removed);
  }

  /** Compares by {@code equals} of the values (records: every field). */
  public static <V> Changes between(Map<String, V> before, Map<String, V> after) {
    Set<String> added = new TreeSet<>();
    Set<String> changed = new TreeSet<>();
    Set<String> removed = new TreeSet<>();
    after.forEach((key, value) -> {
      V old = before.get(key);
      if (old == null) {
        added.add(key);
      } else if (!Objects.equals(old, value)) {
        changed.add(key);
      }
    });
    before.keySet().stream().filter(key -> !after.containsKey(key)).forEach(removed::add);
    return new Changes(added, changed, removed);
  }

  /** Every key added, changed or removed: the cache entries to drop. */
  public Set<String> all() {
    Set<String> all = new TreeSet<>(added);
    all.addAll(changed);
    all.addAll(removed);
    return all;
  }

  @Override
  public String toString() {
    return added.size() + " added, " + changed.size() + " changed, " + removed.size() + " removed";
  }
}
