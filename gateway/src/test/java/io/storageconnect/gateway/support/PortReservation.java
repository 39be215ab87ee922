package io.storageconnect.gateway.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * A loopback port known before its server starts (a gateway whose OIDC issuer URL names its own
 * port), kept from everyone else until then.
 *
 * <p>Picking a free port by opening and closing a server socket leaves a window in which another
 * bind to port 0 may take it (a clean-clone CI run lost a gateway start to that). Here a socket
 * bound to the port that never listens holds it: the kernel's automatic port choice skips it, and
 * connecting to it is refused. Both this socket and the server set {@code SO_REUSEADDR} (Vert.x's
 * default), which lets the server bind and listen on the port while it is held; close the
 * reservation once the server listens.
 */
public final class PortReservation implements AutoCloseable {
  private final SocketChannel holder;
  private final int port;

  private PortReservation(SocketChannel holder, int port) {
    this.holder = holder;
    this.port = port;
  }

  /** A free loopback port, held. */
  public static PortReservation reserve() throws IOException {
    return hold(0);
  }

  /**
   * Holds this loopback port (0: any free one). Fails with a {@link java.net.BindException} while
   * a socket still listens on it.
   */
  public static PortReservation hold(int port) throws IOException {
    SocketChannel holder = SocketChannel.open();
    try {
      holder.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      holder.bind(new InetSocketAddress("127.0.0.1", port));
      return new PortReservation(holder, ((InetSocketAddress) holder.getLocalAddress()).getPort());
    } catch (IOException | RuntimeException e) {
      holder.close();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  @Override
  public void close() throws IOException {
    holder.close();
  }
}
