package io.storageconnect.gateway.support;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A logback appender (configured in logback-test.xml) that keeps every log line of the test JVM,
 * fully rendered with throwables, so tests can check what reached the logs: no secrets, no leak
 * reports, no blocked event loop. A gateway line with a secret, token, S3 XML or bucket name is
 * an alarm, like a leak: {@link RuntimeChecks} fails the test class that logged it.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> {
  private static final ConcurrentLinkedQueue<String> LINES = new ConcurrentLinkedQueue<>();
  /** Each line with the name of the thread that logged it. */
  private static final ConcurrentLinkedQueue<String[]> THREADS = new ConcurrentLinkedQueue<>();
  private static final ConcurrentLinkedQueue<String> ALARMS = new ConcurrentLinkedQueue<>();
  /**
   * What no gateway log line may contain: keys and secrets, tokens (a JWT starts with "eyJ"),
   * presigned-URL signatures and session tokens, S3 error XML, and customers' bucket names.
   */
  private static final List<String> NEVER_LOGGED = List.of(
      S3Server.SECRET_KEY, GatewayFixture.ORIGIN_SECRET, GatewayFixture.ADMIN_TOKEN, "eyJ",
      "X-Amz-Signature", "X-Amz-Security-Token", "<Error>",
      TestData.CUSTOMER_BUCKET, TestData.OTHER_BUCKET);

  public static final String AUDIT_LOGGER = "io.storageconnect.gateway.audit";
  private static final List<String> BUCKETS = List.of(TestData.CUSTOMER_BUCKET, TestData.OTHER_BUCKET);

  @Override
  protected void append(ILoggingEvent event) {
    StringBuilder line = new StringBuilder()
        .append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ").append(event.getFormattedMessage());
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
    }
    String rendered = line.toString();
    LINES.add(rendered);
    THREADS.add(new String[] {rendered, event.getThreadName()});
    if (rendered.contains("LEAK:") || rendered.contains("has been blocked for")) {
      ALARMS.add(rendered);
    }
    if (event.getLoggerName().startsWith("io.storageconnect.gateway.")
        && !event.getLoggerName().startsWith("io.storageconnect.gateway.support.")) {
      // The audit log alone names buckets (and keys): it is the customer's record of the calls
      // made on them. Secrets, tokens and S3 XML stay out of it like everywhere else.
      boolean audit = event.getLoggerName().equals(AUDIT_LOGGER);
      for (String secret : NEVER_LOGGED) {
        if (audit && BUCKETS.contains(secret)) {
          continue;
        }
        if (rendered.contains(secret)) {
          ALARMS.add("the gateway logged what it must not (" + secret.substring(0, 3) + "...): " + rendered);
        }
      }
    }
  }

  public static List<String> lines() {
    return new ArrayList<>(LINES);
  }

  /** The threads that logged lines containing {@code text}, in order. */
  public static List<String> threadsLogging(String text) {
    List<String> out = new ArrayList<>();
    for (String[] entry : THREADS) {
      if (entry[0].contains(text)) {
        out.add(entry[1]);
      }
    }
    return out;
  }

  /** Lines reporting a Netty buffer leak or a blocked Vert.x thread, since the last call. */
  public static List<String> drainAlarms() {
    List<String> out = new ArrayList<>();
    for (String line; (line = ALARMS.poll()) != null; ) {
      out.add(line);
    }
    return out;
  }
}
