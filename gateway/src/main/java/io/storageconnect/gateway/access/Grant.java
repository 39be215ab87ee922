package io.storageconnect.gateway.access;

import java.util.Set;

/**
 * What one request may read: either a viewer token's account, assets and actions, or a CDN origin
 * pull (any asset, read actions). Immutable.
 */
public record Grant(String subject, String accountId, Set<String> assetIds, Set<Action> actions, boolean originPull) {

  public Grant {
    assetIds = Set.copyOf(assetIds);
    actions = Set.copyOf(actions);
  }

  public static Grant forOriginPull() {
    return new Grant("origin-pull", null, Set.of(), Set.of(Action.values()), true);
  }

  /** True when this grant opens {@code action} on the asset with this id owned by this account. */
  public boolean allows(String assetAccountId, String assetId, Action action) {
    if (originPull) {
      return true;
    }
    return accountId.equals(assetAccountId) && assetIds.contains(assetId) && actions.contains(action);
  }
}
