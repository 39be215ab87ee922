package io.storageconnect.gateway.http;

import io.storageconnect.gateway.access.OidcIssuer;
import io.storageconnect.gateway.access.Policies;
import io.storageconnect.gateway.access.RoleCredentials;
import io.storageconnect.gateway.catalog.ConnectionRules;
import io.storageconnect.gateway.catalog.DeliveryMode;
import io.storageconnect.gateway.catalog.ObjectLocation;
import io.storageconnect.gateway.catalog.StorageConnection;
import io.storageconnect.gateway.catalog.StorageConnections;
import io.storageconnect.gateway.failure.GatewayException;
import io.storageconnect.gateway.failure.OriginException;
import io.storageconnect.gateway.origin.BucketAddress;
import io.storageconnect.gateway.origin.S3Origin;
import io.storageconnect.gateway.resilience.GuardedOrigin;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The storage-connection admin API, for the platform's operators and back office, authenticated
 * separately from viewers (a bearer admin token, compared in constant time):
 *
 * <pre>
 * GET|PUT|DELETE /admin/v1/accounts/{account}/storage   the connection (no secret ever)
 * GET            /admin/v1/accounts/{account}/storage/policies   trust, permission and migration policies, bucket CORS
 * POST           /admin/v1/accounts/{account}/storage/verify     preflight checklist
 * GET            /admin/v1/accounts/{account}/health             breaker and credential state
 * GET            /admin/v1/health                                every account's, and the managed bucket's
 * POST           /admin/v1/reload                                reload catalog and connections (200, or 422 with every problem)
 * </pre>
 *
 * Runs on event loops; never blocks.
 */
public final class AdminRoutes {
  private final String token;
  private final StorageConnections connections;
  private final S3Origin origin;
  private final GuardedOrigin guarded;
  private final OidcIssuer issuer;
  private final RoleCredentials roles;
  private final String migrationPrincipalArn;
  private final io.storageconnect.gateway.config.GatewayConfig.Cors cors;
  private final io.storageconnect.gateway.reload.Reloader reloader;

  /**
   * @param issuer and {@code roles}: {@code null} when no OIDC issuer is configured (then role
   *     connections cannot be verified and policies cannot be generated)
   * @param migrationPrincipalArn the platform's migration role, or {@code null} to omit that policy
   */
  public AdminRoutes(
      String token,
      StorageConnections connections,
      S3Origin origin,
      GuardedOrigin guarded,
      OidcIssuer issuer,
      RoleCredentials roles,
      String migrationPrincipalArn,
      io.storageconnect.gateway.config.GatewayConfig.Cors cors,
      io.storageconnect.gateway.reload.Reloader reloader) {
    this.reloader = reloader;
    this.token = token;
    this.connections = connections;
    this.origin = origin;
    this.guarded = guarded;
    this.issuer = issuer;
    this.roles = roles;
    this.migrationPrincipalArn = migrationPrincipalArn;
    this.cors = cors;
  }

  public void mount(Router router) {
    String base = "/admin/v1/accounts/:account/storage";
    router.route("/admin/*").handler(new BearerToken(token, "An admin token is required.", "This admin token is not valid."));
    router.get(base).handler(guard(this::get));
    router.put(base).handler(BodyHandler.create().setBodyLimit(16 * 1024)).handler(guard(this::put));
    router.delete(base).handler(guard(this::delete));
    router.get(base + "/policies").handler(guard(this::policies));
    router.post(base + "/verify").handler(guard(this::verify));
    router.get("/admin/v1/accounts/:account/health").handler(guard(this::health));
    router.get("/admin/v1/health").handler(this::healthAll);
    router.post("/admin/v1/reload").handler(this::reload);
  }

  /**
   * Reloads the catalog and storage connections: 200 with what changed, or 422 with every problem
   * found (the running configuration is kept). Problems never carry a secret's value.
   */
  private void reload(RoutingContext ctx) {
    reloader.reload("admin API").onComplete(done -> {
      if (done.failed()) {
        ctx.fail(done.cause());
        return;
      }
      var outcome = done.result();
      if (outcome.applied()) {
        json(ctx, 200, new JsonObject()
            .put("status", "reloaded")
            .put("assets", counts(outcome.assets()))
            .put("connections", counts(outcome.connections()))
            .put("restartPending", new JsonArray(outcome.restartPending())));
      } else {
        json(ctx, 422, new JsonObject()
            .put("error", "invalid_configuration")
            .put("message", "The new configuration is not valid; the running one is kept.")
            .put("problems", new JsonArray(outcome.problems()))
            .put("requestId", RequestIds.of(ctx)));
      }
    });
  }

  private static JsonObject counts(io.storageconnect.gateway.reload.Changes changes) {
    return new JsonObject()
        .put("added", changes.added().size())
        .put("changed", changes.changed().size())
        .put("removed", changes.removed().size());
  }

  /**
   * One account's storage health: its bucket's circuit breaker (state, failure rate, when an open
   * breaker will probe again, the last bucket-level failure and, for a wrong region, the region S3
   * named) and its role credentials (valid, failing, not assumed yet). Never a secret or bucket name.
   */
  private void health(RoutingContext ctx, String account) {
    json(ctx, 200, accountHealth(account, existing(account)));
  }

  /** Every connected account's health, and the managed bucket's breaker. */
  private void healthAll(RoutingContext ctx) {
    JsonObject accounts = new JsonObject();
    connections.all().forEach((account, c) -> accounts.put(account, accountHealth(account, c)));
    json(ctx, 200, new JsonObject().put("managed", breakers(ObjectLocation.MANAGED)).put("accounts", accounts));
  }

  private JsonObject accountHealth(String account, StorageConnection c) {
    JsonObject health = new JsonObject().put("account", account).put("region", c.address().region()).put("breakers", breakers(account));
    if (c.address().role() != null && roles != null) {
      RoleCredentials.Status status = roles.status(account, c.roleArn());
      JsonObject credentials = new JsonObject().put("state", status.state());
      status.expires().ifPresent(t -> credentials.put("expires", t.toString()));
      status.lastError().ifPresent(e -> credentials.put("lastError", e));
      status.retryAt().ifPresent(t -> credentials.put("retryAt", t.toString()));
      health.put("credentials", credentials);
    } else {
      health.put("credentials", new JsonObject().put("state", c.address().credentials() != null ? "static" : "default-chain"));
    }
    return health;
  }

  private JsonArray breakers(String owner) {
    JsonArray list = new JsonArray();
    for (GuardedOrigin.BreakerView b : guarded.breakers(owner)) {
      JsonObject view =
          new JsonObject()
              .put("region", b.region())
              .put("state", b.state())
              .put("failureRatePercent", b.failureRatePercent())
              .put("bufferedCalls", b.bufferedCalls())
              .put("failedCalls", b.failedCalls());
      b.openUntil().ifPresent(t -> view.put("openUntil", t.toString()));
      b.lastFailure()
          .ifPresent(
              f -> {
                JsonObject last = new JsonObject().put("error", f.code()).put("at", f.at().toString());
                f.bucketRegion().ifPresent(r -> last.put("bucketRegion", r));
                view.put("lastFailure", last);
              });
      list.add(view);
    }
    return list;
  }

  /** Validates the account id in the path before the handler runs. */
  private static Handler<RoutingContext> guard(java.util.function.BiConsumer<RoutingContext, String> handler) {
    return ctx -> {
      String account = ctx.pathParam("account");
      Optional<String> problem = ConnectionRules.accountId(account);
      if (problem.isPresent()) {
        ctx.fail(GatewayException.badRequest("invalid_account_id", "account: " + problem.get()));
        return;
      }
      handler.accept(ctx, account);
    };
  }

  private StorageConnection existing(String account) {
    return connections.get(account)
        .orElseThrow(() -> GatewayException.notFound("storage_not_connected", "This account has no storage connection."));
  }

  private void get(RoutingContext ctx, String account) {
    json(ctx, 200, StorageConnections.toJson(existing(account), true).put("account", account));
  }

  private void put(RoutingContext ctx, String account) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    if (body == null) {
      ctx.fail(GatewayException.badRequest("invalid_body", "The body must be a JSON object."));
      return;
    }
    List<String> problems = StorageConnections.validate(body);
    if (issuer == null && body.getValue("roleArn") != null) {
      problems.add("roleArn: the gateway has no OIDC issuer configured (expected: oidc.issuer and oidc.keys in its configuration)");
    }
    if (!problems.isEmpty()) {
      ctx.fail(
          GatewayException.badRequest("invalid_storage_connection", "The storage connection is not valid: " + String.join("; ", problems)));
      return;
    }
    StorageConnection connection = StorageConnections.fromJson(account, body);
    // Its SDK clients are built before it serves anything: building one may block (class
    // loading, endpoint rules), so on a worker thread, never on this event loop.
    ctx.vertx()
        .executeBlocking(() -> {
          origin.prepare(List.of(connection.address()));
          return null;
        }, false)
        .compose(prepared -> connections.put(connection))
        .onSuccess(c -> json(ctx, 200, StorageConnections.toJson(c, true).put("account", account)))
        .onFailure(e -> ctx.fail(new GatewayException(500, "storage_not_saved", "The connection could not be saved.", e)));
  }

  private void delete(RoutingContext ctx, String account) {
    connections.remove(account)
        .onSuccess(removed -> {
          if (removed) {
            ctx.response().setStatusCode(204).end();
          } else {
            ctx.fail(GatewayException.notFound("storage_not_connected", "This account has no storage connection."));
          }
        })
        .onFailure(e -> ctx.fail(new GatewayException(500, "storage_not_saved", "The change could not be saved.", e)));
  }

  private void policies(RoutingContext ctx, String account) {
    StorageConnection c = existing(account);
    if (c.roleArn() == null || issuer == null) {
      throw new GatewayException(409, "no_role", "Policies need a role ARN on the connection and an OIDC issuer on the gateway.");
    }
    String partition = ConnectionRules.partitionOf(c.roleArn());
    JsonObject out = new JsonObject().put("account", account);
    try {
      out.put("trustPolicy", Policies.trustPolicy(c.roleArn(), issuer.issuer(), issuer.audience(), account))
          .put("permissionPolicy", Policies.permissionPolicy(c.roleArn(), c.address().bucket(), c.prefix()));
      if (migrationPrincipalArn != null && ConnectionRules.partitionOf(migrationPrincipalArn).equals(partition)) {
        out.put("migrationBucketPolicy", Policies.migrationBucketPolicy(c.address().bucket(), migrationPrincipalArn, partition));
      }
      if (!cors.allowedOrigins().isEmpty()) {
        out.put("bucketCors", Policies.bucketCors(cors.allowedOrigins(), cors.maxAge().toSeconds()));
      }
    } catch (IllegalArgumentException e) {
      throw new GatewayException(409, "policy_not_possible", "No valid policy exists for this connection: " + e.getMessage());
    }
    json(ctx, 200, out);
  }

  /** One step of the preflight checklist. */
  private record Step(String name, boolean passed, String detail, String fix) {
    JsonObject toJson() {
      JsonObject j = new JsonObject().put("step", name).put("passed", passed).put("detail", detail);
      if (fix != null) {
        j.put("fix", fix);
      }
      return j;
    }
  }

  /**
   * Preflight: assume the role, write a probe under the prefix, HEAD and read it back (which also
   * proves the region: S3 answers a request to the wrong region with a 301 naming the right one),
   * remove it. Every step runs that can; each says what to fix.
   */
  private void verify(RoutingContext ctx, String account) {
    StorageConnection c = existing(account);
    List<Step> steps = new ArrayList<>();
    BucketAddress address = c.address();
    String probeKey = c.prefix() + ".storage-connect-probe/" + UUID.randomUUID() + ".txt";
    byte[] probe = ("storage connect preflight " + probeKey + "\n").getBytes(StandardCharsets.UTF_8);

    Future<Void> assumed;
    if (address.role() != null && roles != null) {
      assumed =
          Future.fromCompletionStage(roles.assumeNow(account, c.roleArn()), ctx.vertx().getOrCreateContext())
              .<Void>map(creds -> {
                steps.add(new Step("assume_role", true, "AssumeRoleWithWebIdentity succeeded for " + c.roleArn() + ".", null));
                return null;
              })
              .recover(e -> {
                steps.add(new Step("assume_role", false, "AssumeRoleWithWebIdentity failed (" + code(e) + ").", assumeFix(e, c, account)));
                return Future.failedFuture(e);
              });
    } else {
      steps.add(new Step("assume_role", true, "Skipped: this connection signs with "
          + (address.credentials() != null ? "static development keys." : "the gateway's default credentials."), null));
      assumed = Future.succeededFuture();
    }

    // The probe's calls are the account's own, audited like a viewer's.
    var caller = new io.storageconnect.gateway.origin.OriginCall.Caller(account, RequestIds.of(ctx));
    assumed
        .compose(v -> origin.putSmall(caller, address, probeKey, probe, "text/plain; charset=utf-8")
            .onSuccess(x -> {
              steps.add(new Step("write_probe", true, "Wrote " + probeKey + ".", null));
              steps.add(new Step("bucket_region", true, "The bucket answers in " + address.region() + ".", null));
            })
            .onFailure(e -> {
              Optional<String> region = e instanceof OriginException oe ? oe.bucketRegion() : Optional.empty();
              if (region.isPresent() || "PermanentRedirect".equals(code(e)) || "AuthorizationHeaderMalformed".equals(code(e))) {
                steps.add(new Step("bucket_region", false, "The bucket is not in " + address.region() + ".",
                    "Set the connection's region to " + region.orElse("the bucket's region (see the S3 console)") + "."));
              } else {
                steps.add(new Step("write_probe", false, "Writing the probe failed (" + code(e) + ").", writeFix(e, c)));
              }
            }))
        .compose(v -> origin.headUncached(caller, address, probeKey)
            .compose(meta -> origin.readSmall(caller, address, probeKey))
            .onSuccess(bytes -> steps.add(Arrays.equals(bytes, probe)
                ? new Step("read_probe", true, "Read the probe back (HEAD and GET).", null)
                : new Step("read_probe", false, "The probe read back differs from what was written.", "Check for a bucket policy or proxy that rewrites objects.")))
            .onFailure(e -> steps.add(new Step("read_probe", false, "Reading the probe failed (" + code(e) + ").",
                "Allow s3:GetObject on " + resource(c) + " in the role's permission policy.")))
            .mapEmpty()
            .eventually(() -> origin.delete(caller, address, probeKey)
                .onSuccess(x -> steps.add(new Step("remove_probe", true, "Removed the probe.", null)))
                .onFailure(e -> steps.add(new Step("remove_probe", false, "The probe could not be removed (" + code(e) + "); it stays at " + probeKey + ".",
                    "Allow s3:DeleteObject on " + resource(c) + ", or remove the probe by hand.")))))
        .onComplete(done -> {
          JsonArray list = new JsonArray();
          steps.forEach(s -> list.add(s.toJson()));
          boolean passed = steps.stream().allMatch(Step::passed);
          json(ctx, 200, new JsonObject().put("account", account).put("passed", passed).put("steps", list));
        });
  }

  private static String code(Throwable failure) {
    Throwable e = failure;
    while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof OriginException oe) {
      return oe.awsErrorCode().orElse(oe.code());
    }
    return e.getClass().getSimpleName();
  }

  private String assumeFix(Throwable e, StorageConnection c, String account) {
    String provider = issuer == null ? "the gateway's issuer" : issuer.issuer().replaceFirst("^https?://", "").replaceAll("/$", "");
    return switch (code(e)) {
      case "AccessDenied" -> "The role's trust policy does not admit this gateway for account " + account
          + ": it must trust the OIDC provider " + provider + " with conditions " + provider + ":aud = "
          + (issuer == null ? "sts.amazonaws.com" : issuer.audience()) + " and " + provider + ":sub = " + account
          + " (GET .../storage/policies gives the exact document).";
      case "InvalidIdentityToken" -> "AWS could not verify the gateway's token: the IAM OIDC identity provider must be created for "
          + (issuer == null ? "the issuer" : issuer.issuer()) + " exactly (no trailing slash difference).";
      case "IDPCommunicationError" -> "AWS could not fetch the issuer's discovery document or keys; the issuer URL must be reachable from AWS.";
      case "ExpiredTokenException" -> "The token had expired when AWS checked it: check the gateway's clock.";
      case "IDPRejectedClaim" -> "AWS rejected a claim of the token: check the OIDC provider's audience (client id) list includes "
          + (issuer == null ? "sts.amazonaws.com" : issuer.audience()) + ".";
      case "ValidationError" -> "STS rejected the request: check the role ARN " + c.roleArn() + " and the role's maximum session duration.";
      default -> "STS could not be reached or failed; retry later.";
    };
  }

  private static String writeFix(Throwable e, StorageConnection c) {
    return switch (code(e)) {
      case "AccessDenied" -> "Allow s3:PutObject on " + resource(c) + " in the role's permission policy (GET .../storage/policies).";
      case "NoSuchBucket" -> "The bucket " + c.address().bucket() + " does not exist.";
      case "InvalidAccessKeyId", "SignatureDoesNotMatch" -> "The credentials are not accepted by this endpoint.";
      default -> "The bucket did not answer; check the endpoint and network, then retry.";
    };
  }

  private static String resource(StorageConnection c) {
    return "arn:aws:s3:::" + c.address().bucket() + "/" + c.prefix() + "*";
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(asciiOnly(body.encodePrettily()));
  }

  /**
   * Non-ASCII characters as JSON escapes: IAM's policy grammar takes only a narrow raw character
   * set, so documents must survive being pasted as they are.
   */
  static String asciiOnly(String json) {
    StringBuilder out = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c > 0x7e) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
