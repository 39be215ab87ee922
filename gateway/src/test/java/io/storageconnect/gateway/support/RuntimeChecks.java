package io.storageconnect.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (junit-platform.properties enables auto-detection): after each
 * class, collects garbage so that Netty's paranoid leak detector reports any leaked buffer, then
 * fails the class if the logs show a leak, a blocked event loop, or a gateway line carrying a
 * secret, a token, S3 error XML or a customer's bucket name.
 */
public final class RuntimeChecks implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) {
    for (int i = 0; i < 3; i++) {
      System.gc();
      System.runFinalization();
      // Leak reports are emitted when the detector next tracks a buffer.
      for (int j = 0; j < 64; j++) {
        ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        pooled.release();
        ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.directBuffer(64);
        unpooled.release();
      }
    }
    assertThat(LogCapture.drainAlarms()).as("Netty leak reports, blocked-thread warnings and secrets in gateway logs").isEmpty();
  }
}
