package io.pocketproxy.bench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * One stream's download with a cellular round trip where the phone's link would be (a {@link DelayLine}
 * between relay and agent, between sshd and ssh, and in front of the target for the direct path): whether
 * flow-control windows keep a long, fat link full.
 */
final class DelayedDownload implements Figure {

    private static final long WARM_UP_BYTES = 32L << 20;

    @Option(
            names = "--delayed-mib",
            paramLabel = "MiB",
            description = "Size of each download (default: ${DEFAULT-VALUE}).")
    int mib = 256;

    @Option(
            names = "--delayed-rtt-ms",
            paramLabel = "MS",
            description = "Round trip added by the delay lines (default: ${DEFAULT-VALUE}).")
    int rttMillis = 50;

    @Override
    public void validate() {
        Check.atLeast("--delayed-mib", mib, 1);
        Check.atLeast("--delayed-rtt-ms", rttMillis, 2);
    }

    @Override
    public Table measure(Testbed testbed) throws Exception {
        int source = testbed.targets().source();
        List<Route> routes = testbed.delayedRoutes(Duration.ofMillis(rttMillis));
        long bytes = (long) mib << 20;
        for (Route route : routes) {
            BulkDownload.download(route, source, Math.min(bytes, WARM_UP_BYTES));
        }
        Rounds rounds = Rounds.run(
                "delayed",
                testbed.options().rounds,
                routes,
                route -> Map.of("MB/s", BulkDownload.download(route, source, bytes)));
        return new Table(
                "bulk at " + rttMillis + " ms RTT",
                "Bulk download at " + rttMillis + " ms added round trip, one stream, " + mib + " MiB ("
                        + Rounds.caption(testbed.options().rounds) + ")",
                List.of(rounds.row("MB/s", "ours ≥ 0.8 × direct")),
                List.of("Our link windows: " + testbed.options().streamWindowMib + " MiB per stream, "
                        + testbed.options().linkWindowMib + " MiB per link. ssh -R keeps OpenSSH's fixed 2 MiB"
                        + " channel window, which caps one stream near 2 MiB per round trip."));
    }
}
