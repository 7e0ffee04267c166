package io.pocketproxy.bench;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.testkit.ProxyClients;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One of the soak's customers: until the deadline, picks a connection and makes one transfer through it
 * (download, upload or both, through an HTTP CONNECT or a SOCKS5 tunnel), now and then closing it half way on
 * purpose, and books what both ends counted in the connection's {@link Account}.
 */
final class Customer implements Runnable {

    private static final Duration GATE_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration TARGET_END_TIMEOUT = Duration.ofSeconds(30);
    private static final int CHUNK = 16 * 1024;
    private static final AtomicLong TRANSFER_IDS = new AtomicLong();

    private final SoakServer server;
    private final CountingTarget target;
    private final List<Account> accounts;
    private final Gate serverGate;
    private final List<Gate> deviceGates;
    private final long maxBytes;
    private final double abortShare;
    private final long deadlineNanos;
    /** Unexpected errors, for the report (bounded: the first few are enough to debug). */
    private final Queue<String> faults;

    Customer(
            SoakServer server,
            CountingTarget target,
            Gate serverGate,
            List<Gate> deviceGates,
            long maxBytes,
            double abortShare,
            long deadlineNanos,
            Queue<String> faults) {
        this.server = server;
        this.target = target;
        this.accounts = server.accounts();
        this.serverGate = serverGate;
        this.deviceGates = deviceGates;
        this.maxBytes = maxBytes;
        this.abortShare = abortShare;
        this.deadlineNanos = deadlineNanos;
        this.faults = faults;
    }

    @Override
    public void run() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (System.nanoTime() < deadlineNanos && !Thread.currentThread().isInterrupted()) {
            Account account = accounts.get(random.nextInt(accounts.size()));
            try {
                transferThroughGates(account, random);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void transferThroughGates(Account account, ThreadLocalRandom random) throws InterruptedException {
        try (AutoCloseable serverPass = serverGate.pass(GATE_TIMEOUT);
                AutoCloseable devicePass = serverPass == null
                        ? null
                        : deviceGates.get(account.device).pass(GATE_TIMEOUT);
                AutoCloseable connectionPass = devicePass == null ? null : account.gate.pass(GATE_TIMEOUT)) {
            if (connectionPass == null) {
                fault(account + ": a gate stayed closed for " + GATE_TIMEOUT);
                return;
            }
            transfer(account, random);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            fault(account + ": " + e);
        }
    }

    private void transfer(Account account, ThreadLocalRandom random) throws InterruptedException {
        // Downloads, uploads and both; at least one byte down, so a transfer aborted during its upload has
        // been seen by the target (its head arrived) and can be bounded from both ends.
        long download = 1 + random.nextLong(maxBytes);
        long upload = random.nextLong(maxBytes);
        switch (random.nextInt(3)) {
            case 0 -> upload = random.nextLong(1024);
            case 1 -> download = 1 + random.nextLong(1024);
            default -> {}
        }
        boolean abort = account.abortable && random.nextDouble() < abortShare;
        long abortAfter = abort ? random.nextLong(download + upload) : Long.MAX_VALUE;
        long id = TRANSFER_IDS.incrementAndGet();
        Socket socket;
        try {
            socket = open(account);
        } catch (IOException e) {
            account.refused(e.getClass().getSimpleName()); // no tunnel, no byte through the device
            return;
        }
        if (socket == null) {
            return; // refused, and booked as such
        }
        long[] client = new long[2]; // sent, received
        boolean completed = false;
        try (socket) {
            completed = exchange(socket, id, download, upload, abortAfter, client);
        } catch (IOException e) {
            // cut: booked below from both ends' counts
        }
        CountingTarget.Counts counts = target.counts(id);
        // A transfer of the capped connection cut at the limit by its head (the relay grants the head nothing and
        // closes) never reaches the target, which therefore never sees it end; with nothing granted after the limit,
        // its booking from what the ends counted by now is still a true range.
        if (!counts.awaitEnd(TARGET_END_TIMEOUT) && !(account.capped && !counts.seen)) {
            fault(account + ": the target did not see transfer " + id + " end within " + TARGET_END_TIMEOUT);
        }
        Moved moved = new Moved(client[0], client[1], counts.sent.get(), counts.received.get());
        target.forget(id);
        if (completed && moved.whole()) {
            account.completed(moved);
        } else if (abort && !completed) {
            account.aborted(moved);
        } else {
            if (!account.capped) {
                fault(account + ": transfer " + id + " was cut: " + moved);
            }
            account.cut(moved);
        }
    }

    /**
     * A tunnel to the target, or null when the proxy refused it (a password just changed, the limit reached), booked
     * with the proxy's answer.
     */
    private Socket open(Account account) throws IOException {
        String host = "127.0.0.1";
        if (account.type == ConnectionType.HTTP) {
            ProxyClients.HttpHead head = ProxyClients.connect(
                    server.httpProxyPort(), account.username, account.password(), host + ":" + target.port());
            if (head.status() != 200) {
                head.socket().close();
                String status = head.header("proxy-status");
                account.refused("HTTP " + head.status() + (status == null ? "" : " (" + status + ")"));
                return null;
            }
            return head.socket();
        }
        ProxyClients.SocksResult result =
                ProxyClients.socks5(server.socksPort(), account.username, account.password(), host, target.port());
        if (result.socket() == null) {
            account.refused(
                    result.authStatus() != 0
                            ? "SOCKS5 sign-in status " + result.authStatus()
                            : "SOCKS5 reply " + result.reply());
        }
        return result.socket();
    }

    /**
     * The client's side of {@link CountingTarget}'s exchange, counting into {@code client} as it goes; true when it
     * completed, false when it stopped at {@code abortAfter} payload bytes on purpose.
     */
    private static boolean exchange(Socket socket, long id, long download, long upload, long abortAfter, long[] client)
            throws IOException {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        client[0] += CountingTarget.HEAD; // counted before the write: the upper bound must not miss a byte
        DataOutputStream head = new DataOutputStream(out);
        head.writeLong(id);
        head.writeLong(download);
        head.writeLong(upload);
        head.flush();
        byte[] buffer = new byte[CHUNK];
        long payload = 0;
        for (long got = 0; got < download; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, download - got));
            if (n < 0) {
                throw new IOException("download ended after " + got + " of " + download + " bytes");
            }
            client[1] += n;
            got += n;
            payload += n;
            if (payload > abortAfter) {
                return false;
            }
        }
        for (long sent = 0; sent < upload; ) {
            int n = (int) Math.min(buffer.length, upload - sent);
            client[0] += n;
            out.write(buffer, 0, n);
            sent += n;
            payload += n;
            if (payload > abortAfter) {
                return false;
            }
        }
        out.flush();
        long answered = new DataInputStream(in).readLong();
        client[1] += CountingTarget.ANSWER;
        if (answered != upload) {
            throw new IOException("target received " + answered + " of " + upload + " uploaded bytes");
        }
        return true;
    }

    private void fault(String what) {
        if (faults.size() < 50) {
            faults.add(String.format(java.util.Locale.ROOT, "[%.1f s] %s", Progress.seconds(), what));
        }
    }
}
