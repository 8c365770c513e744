package io.github.cachedimage.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a real registry ({@link LocalRegistry}) that can be switched to
 * answer {@code 500 Internal Server Error} for every manifest and blob request, as a registry with
 * a failing storage backend does. Passing, it relays bytes untouched; failing, it answers each
 * connection's first request itself and closes the connection.
 *
 * <p>BuildKit first tries HTTPS on a loopback registry and falls back to HTTP only when the reply
 * is an HTTP response ({@code Client sent an HTTP request to an HTTPS server}), as Distribution
 * sends: the failing mode answers a TLS handshake the same way.
 */
public final class FaultyRegistryProxy implements AutoCloseable {
  private static final byte TLS_HANDSHAKE = 0x16;

  private final ServerSocket server;
  private final int upstreamPort;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(FaultyRegistryProxy::daemon);
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicInteger failed = new AtomicInteger();

  private FaultyRegistryProxy(ServerSocket server, int upstreamPort) {
    this.server = server;
    this.upstreamPort = upstreamPort;
  }

  /** A proxy to {@code upstream} ({@code 127.0.0.1:PORT}), passing until {@link #fail500}. */
  public static FaultyRegistryProxy start(String upstream) throws IOException {
    int port = Integer.parseInt(upstream.substring(upstream.lastIndexOf(':') + 1));
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    FaultyRegistryProxy proxy = new FaultyRegistryProxy(server, port);
    proxy.executor.execute(proxy::acceptLoop);
    return proxy;
  }

  /** {@code 127.0.0.1:PORT}, to prefix repository names. */
  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** From now on, every manifest and blob request gets a 500. */
  public void fail500() {
    failing.set(true);
  }

  /** How many requests got a 500. */
  public int failedRequests() {
    return failed.get();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        executor.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      if (!failing.get()) {
        relay(client);
        return;
      }
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      int first = in.read();
      if (first == TLS_HANDSHAKE) {
        out.write(
            ("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
                .getBytes(StandardCharsets.US_ASCII));
        return;
      }
      String requestLine = (char) first + readLine(in);
      while (!readLine(in).isEmpty()) {
        // the headers: read, so the reply is not cut off by a reset
      }
      String[] parts = requestLine.split(" ");
      String path = parts.length > 1 ? parts[1] : "";
      if (path.equals("/v2/")) {
        out.write(
            ("HTTP/1.1 200 OK\r\nDocker-Distribution-API-Version: registry/2.0\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 2\r\n"
                    + "Connection: close\r\n\r\n{}")
                .getBytes(StandardCharsets.US_ASCII));
        return;
      }
      failed.incrementAndGet();
      byte[] body =
          "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"storage backend failed\"}]}"
              .getBytes(StandardCharsets.US_ASCII);
      out.write(
          ("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      if (!requestLine.startsWith("HEAD ")) {
        out.write(body);
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private void relay(Socket client) throws IOException {
    try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
      var back =
          executor.submit(
              () -> {
                pipe(upstream.getInputStream(), client.getOutputStream());
                client.shutdownOutput();
                return null;
              });
      pipe(client.getInputStream(), upstream.getOutputStream());
      upstream.shutdownOutput();
      try {
        back.get();
      } catch (Exception e) {
        // one side closed
      }
    }
  }

  private static void pipe(InputStream in, OutputStream out) throws IOException {
    in.transferTo(out);
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "faulty-registry-proxy");
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    executor.shutdownNow();
  }
}
