package io.storageconnect.gateway.delivery;

/**
 * The outcome of evaluating a GET or HEAD's conditional headers (RFC 9110 §13.2.2); an immutable
 * constant, thread-safe, that never blocks.
 */
public enum Precondition {
  /** Perform the request: no condition stops it (Range may still apply, §13.2.2 step 5). */
  PROCEED,
  /** Answer 304 Not Modified (RFC 9110 §15.4.5): the client's copy is current. */
  NOT_MODIFIED,
  /** Answer 412 Precondition Failed (RFC 9110 §15.5.13): If-Match or If-Unmodified-Since failed. */
  PRECONDITION_FAILED
}
