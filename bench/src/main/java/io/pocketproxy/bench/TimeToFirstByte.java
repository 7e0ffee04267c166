package io.pocketproxy.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Option;

/**
 * What a customer waits for a new connection: open a new tunnel (for ours the SOCKS5 greeting, password and
 * CONNECT; for ssh -R greeting and CONNECT; direct a TCP connect) and send a small GET, until the answer's
 * first byte. At each concurrency, that many clients open tunnel after tunnel at once; p50 and p99 of one
 * round's tunnels, median over the rounds.
 */
final class TimeToFirstByte implements Figure {

    /**
     * Untimed tunnels per route first, ten clients at once: enough for the JIT to compile a tunnel's opening
     * (a relay in service has opened millions), and ours' one bcrypt before the verified cache holds. With only a
     * few hundred, the compiler threads were still busy during the timed rounds, competing for the same cores.
     */
    private static final int WARM_UP_TUNNELS = 3_000;

    private static final int WARM_UP_CLIENTS = 10;
    private static final long ROUND_TIMEOUT_SECONDS = 300;

    @Option(
            names = "--ttfb-concurrency",
            paramLabel = "N",
            split = ",",
            description = "Clients opening tunnels at once, one run per value (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency = List.of(1, 50);

    @Option(
            names = "--ttfb-tunnels",
            paramLabel = "N",
            description = "Tunnels per route, concurrency and round, shared among the clients"
                    + " (default: ${DEFAULT-VALUE}).")
    int tunnels = 400;

    @Override
    public void validate() {
        Check.atLeast("--ttfb-tunnels", tunnels, 1);
        for (int clients : concurrency) {
            Check.atLeast("--ttfb-concurrency", clients, 1);
            if (clients > tunnels) {
                throw new IllegalArgumentException("--ttfb-concurrency: " + clients
                        + " (expected: at most --ttfb-tunnels, " + tunnels + ", so each client opens one)");
            }
        }
    }

    @Override
    public Table measure(Testbed testbed) throws Exception {
        int http = testbed.targets().http();
        List<Route> routes = testbed.routesWithForwarded();
        for (Route route : routes) {
            firstBytes(route, http, WARM_UP_CLIENTS, WARM_UP_TUNNELS);
        }
        List<Table.Row> rows = new ArrayList<>();
        for (int clients : concurrency) {
            String at = "c=" + clients;
            Rounds rounds = Rounds.run("ttfb " + at, testbed.options().rounds, routes, route -> {
                Latencies latencies = firstBytes(route, http, clients, tunnels);
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put(at + " p50 ms", latencies.millis(50));
                metrics.put(at + " p99 ms", latencies.millis(99));
                return metrics;
            });
            rows.add(rounds.row(at + " p50 ms", clients == 1 ? "" : "ours ≤ ssh -R"));
            rows.add(rounds.row(at + " p99 ms", ""));
            rows.addAll(BulkDownload.rowsOf(
                    rounds.forwardedRow(at + " p50 ms", at + " p50 ms, forwarded"),
                    rounds.forwardedRow(at + " p99 ms", at + " p99 ms, forwarded")));
            rows.add(rounds.overheadRow(
                    at + " p50 ms", at + " p50 overhead over direct, ms", clients == 1 ? "ours ≤ ssh -R" : ""));
        }
        return new Table(
                "new tunnel TTFB",
                "New tunnel + small GET, time to first byte (" + tunnels + " tunnels per round, "
                        + Rounds.caption(testbed.options().rounds) + ")",
                rows,
                List.of());
    }

    /** {@code clients} threads share {@code count} tunnels; the time to first byte of each. */
    private static Latencies firstBytes(Route route, int http, int clients, int count) throws Exception {
        long[] samples = new long[count];
        AtomicInteger next = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> work = new ArrayList<>();
            for (int client = 0; client < clients; client++) {
                work.add(pool.submit(() -> {
                    go.await();
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        samples[i] = firstByte(route, http);
                    }
                    return null;
                }));
            }
            go.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ROUND_TIMEOUT_SECONDS);
            for (Future<?> future : work) {
                try {
                    future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    pool.shutdownNow();
                    throw new IllegalStateException(route.name() + ": " + count + " tunnels at concurrency " + clients
                            + " not done within " + ROUND_TIMEOUT_SECONDS + " s (about " + Math.min(next.get(), count)
                            + " started)");
                }
            }
        }
        return new Latencies(samples);
    }

    private static long firstByte(Route route, int http) throws IOException {
        long start = System.nanoTime();
        try (Socket socket = route.open(http)) {
            socket.getOutputStream().write(HttpTarget.get());
            InputStream in = socket.getInputStream();
            if (in.read() < 0) {
                throw new IOException(route.name() + ": the tunnel closed before the answer's first byte");
            }
            long elapsed = System.nanoTime() - start;
            in.readAllBytes(); // the rest of the answer, until the target closes
            return elapsed;
        }
    }
}
