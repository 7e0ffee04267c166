package io.pocketproxy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@code GET /bytes/N} to a {@link LocalHttpTarget} sent through an open tunnel, read as fast as it comes
 * until the tunnel ends, that keeps what a usage check needs: the bytes the client sent and received, and how
 * many had arrived at each moment (sampled every few milliseconds), so a test can ask how much moved in the
 * last second before something went wrong.
 */
public final class MeasuredDownload {

    private static final long SAMPLE_MILLIS = 10;

    /** Far more than any test waits for: the samples stay bounded even if nobody ends the download. */
    private static final int MAX_SAMPLES = 100_000;

    private record Sample(long nanos, long received) {}

    private final Socket tunnel;
    private final long sent;
    private final AtomicLong received = new AtomicLong();
    private final List<Sample> samples = new ArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);

    private MeasuredDownload(Socket tunnel, long sent) {
        this.tunnel = tunnel;
        this.sent = sent;
    }

    /** Asks for {@code size} bytes through {@code tunnel} (a SOCKS5 or CONNECT tunnel to the target) and reads on. */
    public static MeasuredDownload start(Socket tunnel, long size) throws IOException {
        byte[] request = ("GET /bytes/" + size + " HTTP/1.1\r\nHost: target\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        OutputStream out = tunnel.getOutputStream();
        out.write(request);
        out.flush();
        MeasuredDownload download = new MeasuredDownload(tunnel, request.length);
        Thread.ofVirtual().name("measured-download").start(download::read);
        Thread.ofVirtual().name("measured-download-samples").start(download::sample);
        return download;
    }

    private void read() {
        try (tunnel) {
            InputStream in = tunnel.getInputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                received.addAndGet(n);
            }
        } catch (IOException e) {
            // reset by the far end: the download ends here, with what arrived
        } finally {
            ended.countDown();
        }
    }

    private void sample() {
        try {
            while (!ended.await(SAMPLE_MILLIS, TimeUnit.MILLISECONDS)) {
                synchronized (samples) {
                    if (samples.size() < MAX_SAMPLES) {
                        samples.add(new Sample(System.nanoTime(), received.get()));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the tunnel to end; fails if it is still open after {@code timeout}. */
    public void awaitEnd(Duration timeout) throws InterruptedException {
        if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the download did not end within " + timeout + "; received " + received());
        }
    }

    public long sent() {
        return sent;
    }

    public long received() {
        return received.get();
    }

    /** Bytes that had arrived by {@code nanos} ({@link System#nanoTime()}), as the last sample before it saw. */
    public long receivedBy(long nanos) {
        synchronized (samples) {
            long before = 0;
            for (Sample sample : samples) {
                if (sample.nanos() > nanos) {
                    break;
                }
                before = sample.received();
            }
            return before;
        }
    }
}
