package io.pocketproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP forwarder that delays every byte by a fixed one-way latency in each direction: 25 ms each way is
 * a 50 ms round trip, a cellular link's, on a machine without netem. Bandwidth is not limited: chunks are
 * queued with their due time (up to a bounded number, which back-pressures the sender like a real pipe's
 * bandwidth-delay product) and written when due.
 */
final class DelayLine implements AutoCloseable {

    private static final int QUEUED_CHUNKS = 4096; // × up to 64 KiB: room for ~250 MB/s at 25 ms

    private final ServerSocket listener;
    private final int destinationPort;
    private final long delayNanos;

    private DelayLine(ServerSocket listener, int destinationPort, Duration oneWay) {
        this.listener = listener;
        this.destinationPort = destinationPort;
        this.delayNanos = oneWay.toNanos();
    }

    static DelayLine start(int destinationPort, Duration oneWay) throws IOException {
        DelayLine line =
                new DelayLine(new ServerSocket(0, 128, InetAddress.getLoopbackAddress()), destinationPort, oneWay);
        Thread.ofPlatform().daemon().start(line::accept);
        return line;
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket in = listener.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), destinationPort);
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                pipe(in, out);
                pipe(out, in);
            } catch (IOException e) {
                return;
            }
        }
    }

    private record Chunk(byte[] bytes, long due) {}

    private void pipe(Socket from, Socket to) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
        Thread.ofPlatform().daemon().start(() -> {
            try (InputStream in = from.getInputStream()) {
                byte[] buffer = new byte[64 * 1024];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + delayNanos));
                }
                queue.put(new Chunk(null, System.nanoTime() + delayNanos));
            } catch (IOException | InterruptedException e) {
                queue.offer(new Chunk(null, System.nanoTime()));
            }
        });
        Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream out = to.getOutputStream()) {
                while (true) {
                    Chunk chunk = queue.take();
                    for (long wait = chunk.due() - System.nanoTime();
                            wait > 0;
                            wait = chunk.due() - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    if (chunk.bytes() == null) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(chunk.bytes());
                }
            } catch (IOException | InterruptedException e) {
                // one side closed
            }
        });
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}
