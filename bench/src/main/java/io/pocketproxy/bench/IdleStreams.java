package io.pocketproxy.bench;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * Many idle tunnels over one link: do they all stay up, and what does each cost the relay and the phone?
 * Ours: heap in use after a full collection, relay plus agent, before and after opening them (the goal's
 * measure), and the two processes' resident memory. ssh -R: the resident memory of sshd (with its session)
 * and ssh. Resident memory is the only measure both have; a JVM's also holds heap its collector keeps for
 * later, so read ours as an upper bound.
 *
 * <p>The peer gets fewer tunnels by default: OpenSSH's event loop walks its whole channel table on each turn,
 * so each new channel costs more than the last (on the 2-vCPU machine 2,000 opened in 9 s, 5,000 in 40 s, and
 * one run with 10,000 spent some 14 minutes opening and checking them, after which a quarter still echoed).
 */
final class IdleStreams implements Figure {

    private static final int OPENERS = 16;
    private static final long OPEN_TIMEOUT_SECONDS = 600;
    private static final long CHECK_TIMEOUT_MILLIS = 30_000;

    @Option(
            names = "--idle-streams",
            paramLabel = "N",
            description = "Idle tunnels held open at once through ours (default: ${DEFAULT-VALUE}).")
    int streams = 10_000;

    @Option(
            names = "--idle-peer-streams",
            paramLabel = "N",
            description = "Idle tunnels held open at once through ssh -R (default: ${DEFAULT-VALUE}).")
    int peerStreams = 2_000;

    @Override
    public void validate() {
        Check.atLeast("--idle-streams", streams, OPENERS);
        Check.atLeast("--idle-peer-streams", peerStreams, OPENERS);
    }

    @Override
    public Table measure(Testbed testbed) throws Exception {
        int echo = testbed.targets().echo();
        List<Route> routes = testbed.routes();
        Child relay = testbed.relayProcess();
        LauncherAgent agent = testbed.agentProcess();
        List<ProcessHandle> ourProcesses = List.of(relay.process(), agent.process());

        long heapBefore = relay.heapUsed() + agent.heapUsed();
        long oursRssBefore = ResidentMemory.of(ourProcesses);
        List<Socket> tunnels = open(routes.get(0), echo, streams);
        long heapAfter = relay.heapUsed() + agent.heapUsed();
        long oursRssAfter = ResidentMemory.of(ourProcesses);
        double oursUp = percentLive(routes.get(0), tunnels);

        Double peerRss = null;
        Double peerUp = null;
        if (!testbed.options().noPeer) {
            long before = ResidentMemory.of(testbed.peerProcesses());
            tunnels = open(routes.get(1), echo, peerStreams);
            long after = ResidentMemory.of(testbed.peerProcesses()); // the tree again: sshd may have forked
            peerRss = perStream(after - before, peerStreams);
            peerUp = percentLive(routes.get(1), tunnels);
        }
        return new Table(
                "idle tunnels",
                "Idle tunnels over one link: " + streams + " through ours"
                        + (testbed.options().noPeer ? "" : ", " + peerStreams + " through ssh -R"),
                List.of(
                        new Table.Row("% still up after all were open", oursUp, peerUp, null, "100"),
                        Table.Row.oursOnly(
                                "heap per idle tunnel, KiB (relay + agent)",
                                perStream(heapAfter - heapBefore, streams),
                                "≤ 16"),
                        new Table.Row(
                                "resident memory per idle tunnel, KiB",
                                perStream(oursRssAfter - oursRssBefore, streams),
                                peerRss,
                                null,
                                "")),
                List.of());
    }

    private static double perStream(long bytes, int count) {
        return bytes / (double) count / 1024;
    }

    static double percentLive(Route route, List<Socket> tunnels) {
        int count = tunnels.size();
        int live = closeCountingLive(tunnels);
        Progress.say("idle, " + route.name() + ": " + live + " of " + count + " up");
        return 100.0 * live / count;
    }

    /** {@link #OPENERS} threads open the tunnels; each is left idle (nothing sent) until all are open. */
    static List<Socket> open(Route route, int echo, int streams) throws Exception {
        double start = Progress.seconds();
        List<Socket> tunnels = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(OPENERS)) {
            List<Future<?>> work = new ArrayList<>();
            for (int opener = 0; opener < OPENERS; opener++) {
                int share = streams / OPENERS + (opener < streams % OPENERS ? 1 : 0);
                work.add(pool.submit(() -> {
                    for (int i = 0; i < share; i++) {
                        tunnels.add(route.open(echo));
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(OPEN_TIMEOUT_SECONDS);
            try {
                for (Future<?> future : work) {
                    future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (Exception e) {
                pool.shutdownNow();
                closeCountingLive(tunnels);
                throw new IllegalStateException(
                        route.name() + ": opening " + streams + " idle tunnels failed after " + tunnels.size(), e);
            }
        }
        Progress.say(String.format(
                Locale.ROOT, "idle, %s: %d tunnels open in %.1f s", route.name(), streams, Progress.seconds() - start));
        return tunnels;
    }

    /**
     * A byte into every tunnel first, then each one's echo read and the tunnel closed; how many answered
     * within {@link #CHECK_TIMEOUT_MILLIS} in all, so a few hung tunnels cannot hold the figure up.
     */
    private static int closeCountingLive(List<Socket> tunnels) {
        int live = 0;
        Map<String, Integer> failures = new TreeMap<>();
        synchronized (tunnels) {
            List<Socket> written = new ArrayList<>();
            for (Socket tunnel : tunnels) {
                try {
                    tunnel.getOutputStream().write(42);
                    written.add(tunnel);
                } catch (IOException e) {
                    failures.merge("write: " + e.getClass().getSimpleName(), 1, Integer::sum);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_TIMEOUT_MILLIS);
            for (Socket tunnel : written) {
                try {
                    tunnel.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                    int echoed = tunnel.getInputStream().read();
                    if (echoed == 42) {
                        live++;
                    } else {
                        failures.merge(echoed < 0 ? "closed" : "wrong byte", 1, Integer::sum);
                    }
                } catch (IOException e) {
                    failures.merge("read: " + e.getClass().getSimpleName(), 1, Integer::sum);
                }
            }
            for (Socket tunnel : tunnels) {
                try {
                    tunnel.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            tunnels.clear();
        }
        if (!failures.isEmpty()) {
            Progress.say("idle: tunnels down: " + failures);
        }
        return live;
    }
}
