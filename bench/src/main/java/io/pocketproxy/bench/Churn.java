package io.pocketproxy.bench;

import io.pocketproxy.relay.metering.Meter;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.ProxyClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operator's side of the soak: every few seconds one change through the REST API or to the fleet (a usage
 * reset, a new limit, a new password, an agent restart), and one clean server restart half way. Changes that
 * would end a transfer close the matching {@link Gate} first, so that every byte lands before or after them.
 * It also checks, at each step, that no connection's stored usage is over its limit.
 */
final class Churn implements Runnable {

    private static final Duration STEP = Duration.ofSeconds(2);
    private static final Duration GATE_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration RELAY_TIMEOUT = Duration.ofSeconds(15);
    private static final int SIGN_IN_ATTEMPTS = 5;
    private static final Duration SIGN_IN_RETRY = Duration.ofMillis(200);

    private final SoakServer server;
    private final Gate serverGate;
    private final List<Gate> deviceGates;
    private final long startNanos;
    private final long deadlineNanos;
    private final Queue<String> faults;
    final Map<String, AtomicInteger> done = new java.util.concurrent.ConcurrentHashMap<>();
    volatile int overLimit;

    Churn(SoakServer server, Gate serverGate, List<Gate> deviceGates, long deadlineNanos, Queue<String> faults) {
        this.server = server;
        this.serverGate = serverGate;
        this.deviceGates = deviceGates;
        this.startNanos = System.nanoTime();
        this.deadlineNanos = deadlineNanos;
        this.faults = faults;
    }

    @Override
    public void run() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean restarted = false;
        long halfWay = startNanos + (deadlineNanos - startNanos) / 2;
        while (System.nanoTime() < deadlineNanos - STEP.toNanos()) {
            try {
                Thread.sleep(STEP);
                checkLimits();
                if (!restarted && System.nanoTime() > halfWay) {
                    restarted = true;
                    restartServer();
                    continue;
                }
                List<Account> changeable = server.accounts().stream()
                        .filter(account -> !account.capped)
                        .toList();
                Account account = changeable.get(random.nextInt(changeable.size()));
                switch (random.nextInt(4)) {
                    case 0 -> reset(account);
                    case 1 -> newLimit(account, random);
                    case 2 -> newPassword(account);
                    default -> restartAgent(random.nextInt(server.devices()));
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                fault("churn: " + e);
            }
        }
    }

    private void reset(Account account) throws Exception {
        try (AutoCloseable closed = closeOrFault(account.gate, "reset of " + account)) {
            if (closed == null) {
                return;
            }
            Optional<Meter> meter = server.meter(account);
            // An aborted transfer's last bytes may still be counted after both ends closed; wait for its stream.
            awaitIdle(meter, account);
            long generation = meter.map(Meter::generation).orElse(-1L);
            expectOk(server.api().post("/api/connections/" + account.id + "/reset-bandwidth", Map.of()), "reset");
            account.reset();
            if (meter.isPresent() && !SoakServer.await(() -> meter.get().generation() > generation, RELAY_TIMEOUT)) {
                fault("reset of " + account + ": the relay's meter kept generation " + generation + " for "
                        + RELAY_TIMEOUT);
            }
            count("usage resets", account);
        }
    }

    /**
     * Limits stay far above what a connection can move before its next change: 1 to 2 TiB above what it has used,
     * where a connection moves well under a gigabyte a minute here. A fixed 4 to 8 GiB was reached in a 30-minute run
     * by connections that went minutes without a reset, and cut their transfers. The capped connection is where
     * limits are reached.
     */
    private void newLimit(Account account, ThreadLocalRandom random) {
        long used = server.api()
                .get("/api/connections/" + account.id)
                .json()
                .path("bandwidth_used")
                .asLong();
        long limit = used + (1L << 40) + random.nextLong(1L << 40);
        expectOk(server.api().patch("/api/connections/" + account.id, Map.of("bandwidth_limit", limit)), "limit");
        count("limit changes", account + " to " + limit);
    }

    private void newPassword(Account account) throws Exception {
        try (AutoCloseable closed = closeOrFault(account.gate, "new password for " + account)) {
            if (closed == null) {
                return;
            }
            Optional<Meter> meter = server.meter(account);
            long revocations = meter.map(Meter::revocations).orElse(0L);
            ApiClient.Response answer =
                    server.api().post("/api/connections/" + account.id + "/regenerate-password", Map.of());
            expectOk(answer, "regenerate-password");
            account.password(answer.json().path("password").asText());
            // The relay learns of the new password from the change notice: it forgets the cached connection (whose
            // old hash refuses the new password), re-reads it, and its meter closes every tunnel opened under the
            // old password, one opened with the new password in between included. So transfers wait until the
            // meter has applied the change (a relay without a meter has no tunnel to close), and then until the
            // new password signs in.
            if (meter.isPresent() && !SoakServer.await(() -> meter.get().revocations() > revocations, RELAY_TIMEOUT)) {
                fault("new password for " + account + ": the relay's meter did not apply it within " + RELAY_TIMEOUT);
            }
            awaitSignIn(account);
            count("password regenerations", account);
        }
    }

    /**
     * Polls a SOCKS5 sign-in (no tunnel, nothing metered) until the new password is accepted. Few and spaced
     * attempts: each refusal takes a token of the failed sign-in throttle shared by every soak customer.
     */
    private void awaitSignIn(Account account) throws InterruptedException {
        long deadline = System.nanoTime() + RELAY_TIMEOUT.toNanos();
        for (int attempt = 1; attempt <= SIGN_IN_ATTEMPTS; attempt++) {
            try {
                if (ProxyClients.socks5SignIn(server.socksPort(), account.username, account.password()) == 0) {
                    return;
                }
            } catch (java.io.IOException e) {
                // the relay closed or is slow: try again while attempts and time remain
            }
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(SIGN_IN_RETRY);
        }
        fault("new password for " + account + ": not accepted by the relay after " + SIGN_IN_ATTEMPTS + " attempts");
    }

    private void restartAgent(int device) throws Exception {
        try (AutoCloseable closed = closeOrFault(deviceGates.get(device), "restart of agent " + device)) {
            if (closed == null) {
                return;
            }
            server.restartAgent(device);
            count("agent restarts", "device " + device);
        }
    }

    private void restartServer() throws Exception {
        try (AutoCloseable closed = closeOrFault(serverGate, "server restart")) {
            if (closed == null) {
                return;
            }
            for (Account account : server.accounts()) {
                awaitIdle(server.meter(account), account);
            }
            Progress.say("soak: restarting the server (close, start on the same data directory)");
            server.restartServer();
            count("server restarts", "");
        }
    }

    private void checkLimits() {
        for (Account account : server.accounts()) {
            var row = server.api().get("/api/connections/" + account.id).json();
            long limit = row.path("bandwidth_limit").asLong();
            if (limit > 0 && row.path("bandwidth_used").asLong() > limit) {
                overLimit++;
                fault(account + ": stored usage " + row.path("bandwidth_used").asLong() + " over its limit " + limit);
            }
        }
    }

    private void awaitIdle(Optional<Meter> meter, Account account) {
        if (meter.isPresent()
                && !SoakServer.await(
                        () -> meter.get().openStreams() == 0 && meter.get().openTunnels() == 0, RELAY_TIMEOUT)) {
            fault(account + ": the relay still held " + meter.get().openStreams() + " streams and "
                    + meter.get().openTunnels() + " tunnels " + RELAY_TIMEOUT + " after its transfers ended");
        }
    }

    private AutoCloseable closeOrFault(Gate gate, String what) throws InterruptedException {
        AutoCloseable closed = gate.close(GATE_TIMEOUT);
        if (closed == null) {
            fault(what + ": transfers still in flight after " + GATE_TIMEOUT + "; skipped");
        }
        return closed;
    }

    private void expectOk(ApiClient.Response answer, String what) {
        if (answer.status() != 200) {
            fault(what + " answered " + answer.status() + ": " + answer.body());
        }
    }

    /** Counted for the report, and said with the time, so that a fault can be set beside what the operator did. */
    private void count(String what, Object subject) {
        Progress.say("soak: " + what + " +1 " + subject);
        done.computeIfAbsent(what, key -> new AtomicInteger()).incrementAndGet();
    }

    private void fault(String what) {
        if (faults.size() < 50) {
            faults.add(String.format(java.util.Locale.ROOT, "[%.1f s] %s", Progress.seconds(), what));
        }
    }
}
