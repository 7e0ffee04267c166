package io.pocketproxy.bench;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's destination, in the bench's own process: it counts what it sends and receives on every client
 * connection, so that an aborted transfer's usage can be bounded from both ends. One transfer per connection:
 * the client sends a 24-byte head (transfer id, bytes to download, bytes to upload); the target sends the
 * download, reads the upload, answers the upload's length as 8 bytes and waits for the client to close.
 */
final class CountingTarget implements AutoCloseable {

    static final int HEAD = 24;
    static final int ANSWER = 8;
    private static final int CHUNK = 16 * 1024;
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

    /** What the target saw of one transfer; final once {@link #ended} is counted down. */
    static final class Counts {
        final AtomicLong sent = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final CountDownLatch ended = new CountDownLatch(1);
        /** Whether the head of the transfer arrived here. */
        volatile boolean seen;

        boolean awaitEnd(Duration timeout) throws InterruptedException {
            return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private final ServerSocket listener;
    private final Map<Long, Counts> transfers = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();

    private CountingTarget(ServerSocket listener) {
        this.listener = listener;
    }

    static CountingTarget start() throws IOException {
        CountingTarget target = new CountingTarget(new ServerSocket(0, 1024, InetAddress.getLoopbackAddress()));
        Thread.ofPlatform().daemon().name("soak target").start(target::accept);
        return target;
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Client connections still open here: zero once every transfer has ended on the target's side too. */
    int openConnections() {
        return open.get();
    }

    /** The target's counts of transfer {@code id}, created on first ask so the client can wait before the head. */
    Counts counts(long id) {
        return transfers.computeIfAbsent(id, key -> new Counts());
    }

    /** Forgets a transfer the client has accounted, so that a long soak does not keep every transfer. */
    void forget(long id) {
        transfers.remove(id);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout((int) SOCKET_TIMEOUT.toMillis());
                open.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        Counts counts = null;
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            long id = in.readLong();
            long download = in.readLong();
            long upload = in.readLong();
            counts = counts(id);
            counts.seen = true;
            counts.received.addAndGet(HEAD);
            send(socket.getOutputStream(), download, counts);
            long uploaded = receive(in, upload, counts);
            // Counted before the write: a write that fails half way may still have sent part of it, and the upper
            // bound of an aborted transfer must not miss a byte.
            counts.sent.addAndGet(ANSWER);
            new DataOutputStream(socket.getOutputStream()).writeLong(uploaded);
            socket.getOutputStream().flush();
            in.read(); // the client closes first, so the target never resets a tunnel that still has data in flight
        } catch (IOException e) {
            // the client aborted, or its tunnel was cut: the counts say how far it got
        } finally {
            open.decrementAndGet();
            if (counts != null) {
                counts.ended.countDown();
            }
        }
    }

    private static void send(OutputStream out, long length, Counts counts) throws IOException {
        byte[] chunk = new byte[CHUNK];
        for (long left = length; left > 0; ) {
            int n = (int) Math.min(chunk.length, left);
            counts.sent.addAndGet(n); // before the write, as above
            out.write(chunk, 0, n);
            left -= n;
        }
        out.flush();
    }

    private static long receive(InputStream in, long length, Counts counts) throws IOException {
        byte[] buffer = new byte[CHUNK];
        long read = 0;
        while (read < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - read));
            if (n < 0) {
                throw new IOException("upload ended after " + read + " of " + length + " bytes");
            }
            counts.received.addAndGet(n);
            read += n;
        }
        return read;
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
