package io.pocketproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** A TCP echo server on 127.0.0.1: every byte it reads it writes back. The plainest target for tunnels. */
public final class TcpEchoServer implements AutoCloseable {

    private final ServerSocket listener;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicLong echoed = new AtomicLong();

    private TcpEchoServer(ServerSocket listener) {
        this.listener = listener;
    }

    public static TcpEchoServer start() {
        try {
            TcpEchoServer server = new TcpEchoServer(new ServerSocket(0, 64, InetAddress.getLoopbackAddress()));
            server.executor.execute(server::accept);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Bytes echoed so far, over all connections. */
    public long echoed() {
        return echoed.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                executor.execute(() -> echo(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void echo(Socket socket) {
        try (socket;
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                echoed.addAndGet(n);
            }
        } catch (IOException e) {
            // the client went away: routine
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        executor.shutdownNow();
    }
}
