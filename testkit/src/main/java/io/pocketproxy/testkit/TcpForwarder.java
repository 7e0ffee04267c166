package io.pocketproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on 127.0.0.1 that a test can make go silent: {@link #freeze()} keeps every connection
 * open but moves no more bytes, as a phone that lost its network looks from the other end; {@link #cut()}
 * resets every connection, as the kernel does for a process killed with SIGKILL. It counts the bytes it
 * passed on, so a test can tell what really crossed it.
 */
public final class TcpForwarder implements AutoCloseable {

    private final ServerSocket listener;
    private final int destination;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong forwarded = new AtomicLong();
    private volatile boolean frozen;

    private TcpForwarder(ServerSocket listener, int destination) {
        this.listener = listener;
        this.destination = destination;
    }

    public static TcpForwarder to(int destinationPort) {
        try {
            TcpForwarder forwarder =
                    new TcpForwarder(new ServerSocket(0, 16, InetAddress.getLoopbackAddress()), destinationPort);
            Thread.ofVirtual().start(forwarder::accept);
            return forwarder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** From now on, bytes are read and dropped on the floor; connections stay open. */
    public void freeze() {
        frozen = true;
    }

    /**
     * Resets every connection (RST, not FIN) and accepts no more: what the other ends see when the process behind
     * this forwarder dies with data unread, as a killed agent does.
     */
    public void cut() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0); // close now sends a reset
                socket.close();
            }
        }
    }

    /** Bytes passed on so far, both ways together. */
    public long bytesForwarded() {
        return forwarded.get();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), destination);
                sockets.add(in);
                sockets.add(out);
                Thread.ofVirtual().start(() -> pump(in, out));
                Thread.ofVirtual().start(() -> pump(out, in));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (!frozen) {
                    out.write(buffer, 0, n);
                    forwarded.addAndGet(n);
                }
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
