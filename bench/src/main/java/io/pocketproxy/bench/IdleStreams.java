package io.pocketproxy.bench;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 */
final class IdleStreams implements Figure {

    private static final int OPENERS = 16;
    private static final long OPEN_TIMEOUT_SECONDS = 600;

    @Option(
            names = "--idle-streams",
            paramLabel = "N",
            description = "Idle tunnels held open at once, per route (default: ${DEFAULT-VALUE}).")
    int streams = 10_000;

    @Override
    public void validate() {
        Check.atLeast("--idle-streams", streams, OPENERS);
    }

    @Override
    public Table measure(Testbed testbed) throws Exception {
        int echo = testbed.targets().echo();
        List<Route> routes = testbed.routes();
        Route ours = routes.get(0);
        Child relay = testbed.relayProcess();
        Child agent = testbed.agentProcess();
        List<ProcessHandle> ourProcesses = List.of(relay.process(), agent.process());

        long heapBefore = relay.heapUsed() + agent.heapUsed();
        long oursRssBefore = ResidentMemory.of(ourProcesses);
        List<Socket> tunnels = open(ours, echo);
        long heapAfter = relay.heapUsed() + agent.heapUsed();
        long oursRssAfter = ResidentMemory.of(ourProcesses);
        int oursUp = closeCountingLive(tunnels);
        Progress.say("idle, ours: " + oursUp + " of " + streams + " up");

        Double peerRss = null;
        Double peerUp = null;
        if (!testbed.options().noPeer) {
            Route peer = routes.get(1);
            List<ProcessHandle> peerProcesses = testbed.peerProcesses();
            long before = ResidentMemory.of(peerProcesses);
            tunnels = open(peer, echo);
            // sshd forked its session before, but measure the tree as it is now, in case it grew
            long after = ResidentMemory.of(testbed.peerProcesses());
            peerUp = (double) closeCountingLive(tunnels);
            peerRss = perStream(after - before);
            Progress.say("idle, ssh -R: " + peerUp.intValue() + " of " + streams + " up");
        }
        return new Table(
                "idle streams",
                streams + " idle tunnels over one link",
                List.of(
                        new Table.Row("tunnels still up", (double) oursUp, peerUp, null, "all"),
                        Table.Row.oursOnly(
                                "heap per idle tunnel, KiB (relay + agent)", perStream(heapAfter - heapBefore), "≤ 16"),
                        new Table.Row(
                                "resident memory per idle tunnel, KiB",
                                perStream(oursRssAfter - oursRssBefore),
                                peerRss,
                                null,
                                "")),
                List.of());
    }

    private double perStream(long bytes) {
        return bytes / (double) streams / 1024;
    }

    /** {@link #OPENERS} threads open the tunnels; each is left idle (nothing sent) until all are open. */
    private List<Socket> open(Route route, int echo) throws Exception {
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
        return tunnels;
    }

    /** A byte through each tunnel and back, then closes it; how many answered. */
    private static int closeCountingLive(List<Socket> tunnels) {
        int live = 0;
        synchronized (tunnels) {
            for (Socket tunnel : tunnels) {
                try (tunnel) {
                    tunnel.getOutputStream().write(42);
                    if (tunnel.getInputStream().read() == 42) {
                        live++;
                    }
                } catch (IOException e) {
                    // counted as down
                }
            }
            tunnels.clear();
        }
        return live;
    }
}
