package io.storageconnect.gateway.origin;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * Session credentials for a customer's role, resolved without blocking. Implemented by the access
 * layer (STS with web identity tokens); declared here so that the origin does not depend on it.
 */
public interface RoleCredentialSource {
  CompletableFuture<AwsSessionCredentials> credentials(String accountId, String roleArn);

  /** The role session name the account's calls are made under (what CloudTrail shows). */
  String sessionName(String accountId);
}
