package io.storageconnect.gateway.metrics;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Logback's asynchronous appender, counting what it drops: with {@code neverBlock} an event loop
 * never waits for the log, and a full queue loses the line. The count, by appender name, is
 * {@code gateway_log_dropped_total} (an audit line lost under overload must at least be known).
 */
public final class MeteredAsyncAppender extends AsyncAppender {
  private static final Map<String, LongAdder> DROPPED = new ConcurrentHashMap<>();

  /** Lines dropped so far by the appender of this name (zero when it never dropped one). */
  static LongAdder dropped(String appender) {
    return DROPPED.computeIfAbsent(appender, k -> new LongAdder());
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (isNeverBlock() && getRemainingCapacity() == 0) {
      dropped(getName()).increment();
      return;
    }
    super.append(event);
  }
}
