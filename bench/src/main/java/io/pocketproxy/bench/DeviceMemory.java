package io.pocketproxy.bench;

import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * What the device side costs the device, read next to what it carries: the resident memory (VmRSS) of the agent's
 * JVM, started by the launcher as on a phone, at three moments of one life — idle once linked, with N idle tunnels
 * open, and after bulk downloads from the fast loopback source — and those downloads' throughput. The peer's column
 * is its phone's process, the ssh client, at the same moments.
 *
 * <p>A figure of its own rather than rows of {@code bulk} or {@code idle}: the three readings must come in this
 * order from one process before anything else has stretched it (the default set runs this figure first), and
 * resident memory never goes down by much, so in another figure it would report whatever ran before.
 */
final class DeviceMemory implements Figure {

    private static final long WARM_UP_BYTES = 256L << 20;
    private static final double MIB = 1024.0 * 1024.0;

    @Option(
            names = "--memory-streams",
            paramLabel = "N",
            description = "Idle tunnels held open at once for the second reading (default: ${DEFAULT-VALUE}).")
    int streams = 1_000;

    @Option(
            names = "--memory-mib",
            paramLabel = "MiB",
            description = "Size of each download before the third reading (default: ${DEFAULT-VALUE}); one warm-up"
                    + " download per route first (at most 256 MiB), then one per round.")
    int mib = 512;

    @Override
    public void validate() {
        Check.atLeast("--memory-streams", streams, 16);
        Check.atLeast("--memory-mib", mib, 1);
    }

    @Override
    public Table measure(Testbed testbed) throws Exception {
        Testbed.Targets targets = testbed.targets();
        List<Route> routes = testbed.routes();
        LauncherAgent agent = testbed.agentProcess();
        Optional<ProcessHandle> phone = testbed.phoneProcess();
        List<Route> tunnels = routes.subList(0, routes.size() - 1); // direct has no device side

        Double[] idle = {mib(agent.residentBytes()), phoneMib(phone)};
        Double[] idleAnonymous = {mib(ResidentMemory.anonymousOf(agent.process())), phoneAnonymousMib(phone)};
        Progress.say("memory: idle, agent " + Table.value(idle[0]) + " MiB");

        Double[] open = new Double[2];
        Double[] up = new Double[2];
        for (int i = 0; i < tunnels.size(); i++) {
            List<Socket> held = IdleStreams.open(tunnels.get(i), targets.echo(), streams);
            open[i] = i == 0 ? mib(agent.residentBytes()) : phoneMib(phone);
            up[i] = IdleStreams.percentLive(tunnels.get(i), held);
        }
        Progress.say("memory: " + streams + " idle tunnels, agent " + Table.value(open[0]) + " MiB");

        long bytes = (long) mib << 20;
        for (Route route : routes) {
            BulkDownload.download(route, targets.source(), Math.min(bytes, WARM_UP_BYTES));
        }
        Rounds rounds = Rounds.run(
                "memory",
                testbed.options().rounds,
                routes,
                route -> Map.of("download MB/s", BulkDownload.download(route, targets.source(), bytes)));
        Double[] after = {mib(agent.residentBytes()), phoneMib(phone)};
        Double[] afterAnonymous = {mib(ResidentMemory.anonymousOf(agent.process())), phoneAnonymousMib(phone)};
        Progress.say("memory: after the downloads, agent " + Table.value(after[0]) + " MiB");

        return new Table(
                "device memory",
                "The device side's resident memory: idle, with " + streams + " idle tunnels, after " + mib
                        + " MiB downloads (" + Rounds.caption(testbed.options().rounds) + ")",
                List.of(
                        new Table.Row("resident memory idle, MiB", idle[0], idle[1], null, "≤ 64"),
                        new Table.Row(
                                "… of it anonymous (no file pages), MiB", idleAnonymous[0], idleAnonymous[1], null, ""),
                        new Table.Row(
                                "resident memory with " + streams + " idle tunnels, MiB", open[0], open[1], null, ""),
                        new Table.Row("% of those tunnels still up", up[0], up[1], null, "100"),
                        new Table.Row("resident memory after the downloads, MiB", after[0], after[1], null, "≤ 64"),
                        new Table.Row(
                                "… of it anonymous (no file pages), MiB",
                                afterAnonymous[0],
                                afterAnonymous[1],
                                null,
                                ""),
                        rounds.row("download MB/s", "as bulk")),
                List.of(
                        "Ours is the agent's JVM as `./pocketproxy agent` starts it (POCKETPROXY_AGENT_JAVA_OPTS replaces"
                                + " its settings); ssh -R is the ssh client. Resident memory is VmRSS; its anonymous part"
                                + " (RssAnon) leaves out the pages of mapped files (the JVM's library and class archive, the"
                                + " jar), which the kernel can drop and other processes share."));
    }

    private static double mib(long bytes) {
        return bytes / MIB;
    }

    private static Double phoneAnonymousMib(Optional<ProcessHandle> phone) {
        return phone.map(process -> mib(ResidentMemory.anonymousOf(process))).orElse(null);
    }

    private static Double phoneMib(Optional<ProcessHandle> phone) {
        return phone.map(process -> mib(ResidentMemory.of(List.of(process)))).orElse(null);
    }
}
