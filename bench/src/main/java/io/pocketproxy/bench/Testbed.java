package io.pocketproxy.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the figures measure against, started on first use and stopped together, last started first:
 * the targets, the relay and its agent (PocketProxy), sshd and its ssh client (the peer), and for the
 * delayed figure a second agent and ssh client behind delay lines. The relay, the agents and the targets
 * each run in a JVM of their own, as they would in production (and so each stays under the open-file
 * limit); the agents are started by the launcher, {@code ./pocketproxy agent}, with the JVM settings it
 * gives a device; sshd and ssh are the system's.
 */
final class Testbed implements AutoCloseable {

    /** The destinations: see {@link TargetHost}. */
    record Targets(int source, int echo, int http) {}

    /** What the relay process printed: its SOCKS5 port, its link port, and a device for each kind of link. */
    private record Relay(
            Child process, int socksPort, int linkPort, Device direct, Device delayed, int forwardingSocksPort) {}

    private record Device(String pairing, Socks5.Credentials socks) {}

    private final CommonOptions options;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private boolean closed;

    private Targets targets;
    private Relay relay;
    private LauncherAgent agent;
    private Route ours;
    private SshPeer sshd;
    private SshPhone phone;
    private Route peer;
    private Duration delayedRtt;
    private List<Route> delayedRoutes;

    Testbed(CommonOptions options) {
        this.options = options;
    }

    CommonOptions options() {
        return options;
    }

    synchronized Targets targets() {
        if (targets == null) {
            Child host = started(Child.start(TargetHost.class, "1g"));
            String[] ports = host.readLine().split(" ");
            targets = new Targets(Integer.parseInt(ports[1]), Integer.parseInt(ports[2]), Integer.parseInt(ports[3]));
        }
        return targets;
    }

    /** Ours, the peer unless --no-peer, and direct, in the order every round runs them. */
    synchronized List<Route> routes() {
        List<Route> routes = new ArrayList<>();
        routes.add(ours());
        if (!options.noPeer) {
            routes.add(peer());
        }
        routes.add(Route.direct());
        return routes;
    }

    /**
     * As {@link #routes()}, with ours forwarded after ours: the same device and connection, the customer coming to
     * the farm's second relay, which forwards the tunnel to the relay holding the device's link.
     */
    synchronized List<Route> routesWithForwarded() {
        List<Route> routes = new ArrayList<>(routes());
        routes.add(
                1,
                Route.forwarded(relay().forwardingSocksPort(), relay().direct().socks()));
        return routes;
    }

    /**
     * The same three routes with {@code rtt} added where a phone's cellular link would be: between relay
     * and agent, between sshd and ssh, and for the direct path in front of the target.
     */
    synchronized List<Route> delayedRoutes(Duration rtt) throws IOException {
        if (delayedRoutes != null) {
            if (!rtt.equals(delayedRtt)) {
                throw new IllegalStateException(
                        "delayed routes exist for " + delayedRtt + " already (asked for " + rtt + ")");
            }
            return delayedRoutes;
        }
        Duration oneWay = rtt.dividedBy(2);
        Relay relay = relay();
        DelayLine linkDelay = started(DelayLine.start(relay.linkPort(), oneWay));
        Progress.say("starting a second agent behind a " + rtt.toMillis() + " ms delay line");
        started(LauncherAgent.start("delayed agent", relay.delayed().pairing(), "127.0.0.1:" + linkDelay.port()));
        List<Route> routes = new ArrayList<>();
        routes.add(Route.ours(relay.socksPort(), relay.delayed().socks()));
        if (!options.noPeer) {
            SshPeer sshd = sshd();
            DelayLine sshDelay = started(DelayLine.start(sshd.port(), oneWay));
            Progress.say("starting a second ssh -R behind a " + rtt.toMillis() + " ms delay line");
            SshPhone delayedPhone = started(sshd.connectPhone(sshDelay.port(), options.sshCipher));
            routes.add(Route.peer(delayedPhone.socksPort()));
        }
        Map<Integer, DelayLine> inFrontOfTarget = new HashMap<>();
        routes.add(Route.direct(target -> {
            DelayLine line;
            synchronized (inFrontOfTarget) {
                line = inFrontOfTarget.computeIfAbsent(target, port -> started(delayLine(port, oneWay)));
            }
            return Loopback.connect(line.port());
        }));
        delayedRtt = rtt;
        delayedRoutes = List.copyOf(routes);
        return delayedRoutes;
    }

    /** The relay's process, for heap and memory figures. */
    synchronized Child relayProcess() {
        return relay().process();
    }

    /** The agent, started as the launcher starts it, for memory figures. */
    synchronized LauncherAgent agentProcess() {
        ours();
        return agent;
    }

    /** sshd (with its sessions) and the ssh client, for memory figures; empty with --no-peer. */
    synchronized List<ProcessHandle> peerProcesses() {
        if (options.noPeer) {
            return List.of();
        }
        peer();
        List<ProcessHandle> processes = new ArrayList<>(sshd.processes());
        processes.addAll(phone.processes());
        return processes;
    }

    /** The ssh client that plays the peer's phone, for memory figures; empty with --no-peer. */
    synchronized Optional<ProcessHandle> phoneProcess() {
        if (options.noPeer) {
            return Optional.empty();
        }
        peer();
        return phone.client();
    }

    private Route ours() {
        if (ours == null) {
            Relay relay = relay();
            Progress.say("starting the agent (./pocketproxy agent)");
            agent = started(LauncherAgent.start("agent", relay.direct().pairing()));
            ours = Route.ours(relay.socksPort(), relay.direct().socks());
        }
        return ours;
    }

    private Route peer() {
        if (peer == null) {
            SshPeer sshd = sshd();
            Progress.say("starting ssh -N -R 0 (the peer's phone)");
            phone = started(sshd.connectPhone(sshd.port(), options.sshCipher));
            peer = Route.peer(phone.socksPort());
        }
        return peer;
    }

    private SshPeer sshd() {
        if (sshd == null) {
            Progress.say("starting sshd on 127.0.0.1 (the peer's relay)");
            try {
                sshd = started(SshPeer.start());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set up sshd for the ssh -R peer", e);
            }
        }
        return sshd;
    }

    private Relay relay() {
        if (relay == null) {
            targets();
            Progress.say("starting the relay (embedded PostgreSQL, an operator, two devices)");
            Child process = started(Child.start(
                    RelayHost.class,
                    "2g",
                    Integer.toString(options.streamWindowMib),
                    Integer.toString(options.linkWindowMib)));
            Device direct = device(process.readLine());
            Device delayed = device(process.readLine());
            String[] ports = process.readLine().split(" ");
            String[] forwarding = process.readLine().split(" ");
            relay = new Relay(
                    process,
                    Integer.parseInt(ports[2]),
                    Integer.parseInt(ports[3]),
                    direct,
                    delayed,
                    Integer.parseInt(forwarding[1]));
        }
        return relay;
    }

    /** "device NAME PAIRING SOCKS_USER SOCKS_PASSWORD HTTP_USER HTTP_PASSWORD", as {@link RelayHost} prints it. */
    private static Device device(String line) {
        String[] fields = line.split(" ");
        if (fields.length != 7 || !fields[0].equals("device")) {
            throw new IllegalStateException("relay host printed an unexpected device line (" + fields.length
                    + " fields; expected: device NAME PAIRING and four credentials)");
        }
        return new Device(fields[2], new Socks5.Credentials(fields[3], fields[4]));
    }

    private static DelayLine delayLine(int port, Duration oneWay) {
        try {
            return DelayLine.start(port, oneWay);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a delay line to port " + port, e);
        }
    }

    private <T extends AutoCloseable> T started(T part) {
        synchronized (started) {
            if (!closed) {
                started.push(part);
                return part;
            }
        }
        // Ctrl-C arrived while this part was starting: it must not outlive the run either.
        try {
            part.close();
        } catch (Exception e) {
            System.err.println("bench: stopping a part failed: " + e);
        }
        throw new IllegalStateException("the bench is stopping");
    }

    /** Stops everything, last started first; also the shutdown hook's work on Ctrl-C, so it runs once. */
    @Override
    public void close() {
        synchronized (started) {
            if (closed) {
                return;
            }
            closed = true;
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception e) {
                    System.err.println("bench: stopping a part failed: " + e);
                }
            }
        }
    }
}
