package io.scalesmall.stream.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 for tests: forwards every connection to a target, and can cut all connections at once
 * ({@link #cutAll()}) or swallow what the target sends back ({@link #holdReplies(boolean)}), to lose acks on
 * purpose. Two threads per connection; everything closes with {@link #close()}.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean holdReplies;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    CuttingProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** @return reply bytes swallowed while replies were held */
    long droppedBytes() {
        return dropped.get();
    }

    void holdReplies(boolean hold) {
        holdReplies = hold;
    }

    /** Closes every connection through the proxy (the client sees a reset or an end of stream). */
    void cutAll() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        sockets.clear();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(target.getAddress(), target.getPort());
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                pump(client, server, false);
                pump(server, client, true);
            } catch (IOException e) {
                if (!closed) {
                    cutAll();
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean replies) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (!(replies && holdReplies)) {
                        out.write(buf, 0, n);
                    } else {
                        dropped.addAndGet(n);
                    }
                }
            } catch (IOException e) {
                // cut
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        cutAll();
    }
}
