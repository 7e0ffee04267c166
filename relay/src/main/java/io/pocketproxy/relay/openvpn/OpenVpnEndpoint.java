package io.pocketproxy.relay.openvpn;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.pocketproxy.link.Threads;
import io.pocketproxy.link.stream.TunnelBuffers;
import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.relay.openvpn.dns.DnsAnswers;
import io.pocketproxy.relay.openvpn.dns.DnsInitializers;
import io.pocketproxy.relay.openvpn.flows.FlowInitializer;
import io.pocketproxy.relay.openvpn.flows.FlowTable;
import io.pocketproxy.relay.openvpn.management.ManagementInterface;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's OpenVPN endpoint: a real OpenVPN server (a child process we configure, start, watch and stop),
 * whose customers' TCP flows and DNS come to the relay through the kernel and leave through their connection's
 * device like any HTTP or SOCKS5 customer's, through the same {@link Tunnels} hand-off and meter.
 *
 * <pre>
 *  client ══OpenVPN══▶ openvpn ──tun──▶ kernel: TCP ─TPROXY─▶ flow listener ─▶ Tunnels.open ─▶ device
 *                         ▲                     UDP 53 ─DNAT─▶ DNS socket ─▶ resolve on the device
 *                         │                     other UDP ─▶ ICMP port unreachable; forwarding ─▶ dropped
 *                management socket ◀──▶ sign-ins (CustomerAuthenticator), pool addresses, client-kill
 * </pre>
 *
 * <p>It starts in an order that never lets a client in unchecked: leftovers of a crashed predecessor are cleaned
 * up, the listeners bound (transparently, on the tun address that does not exist yet), the netfilter rules
 * added, then OpenVPN started; it is up once OpenVPN has connected to our management socket and finished its
 * initialization. If OpenVPN dies later, its clients' sessions end and it is started again, after a pause that
 * grows while it keeps dying. Closing stops OpenVPN (which removes its tun device) and removes our rules.
 */
public final class OpenVpnEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpenVpnEndpoint.class);
    private static final Duration FIRST_RESTART_DELAY = Duration.ofSeconds(1);
    private static final Duration LONGEST_RESTART_DELAY = Duration.ofSeconds(30);

    private final OpenVpnSettings settings;
    private final OpenVpnNames names;
    private final EventLoopGroup loops;
    private final CustomerAuthenticator authenticator;
    private final Tunnels tunnels;
    private final Meters meters;
    private final FlowTable flows = new FlowTable();
    private final Netfilter netfilter;
    private final ScheduledExecutorService supervisor =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("openvpn-supervisor"));
    private Channel flowListener;
    private Channel dnsSocket;
    private volatile Run run;
    private volatile boolean stopping;
    private volatile boolean started; // up once: from then on, an exit means a restart
    private volatile Duration restartDelay = FIRST_RESTART_DELAY;

    /** One OpenVPN process and the management connection it came with. */
    private record Run(Process process, ManagementInterface management, OpenVpnSessions sessions) {}

    private OpenVpnEndpoint(
            OpenVpnSettings settings,
            EventLoopGroup loops,
            CustomerAuthenticator authenticator,
            Tunnels tunnels,
            Meters meters) {
        this.settings = settings;
        this.names = settings.names();
        this.loops = loops;
        this.authenticator = authenticator;
        this.tunnels = tunnels;
        this.meters = meters;
        this.netfilter = new Netfilter(names, settings.tools());
    }

    /**
     * Starts the endpoint; returns once OpenVPN accepts clients, or fails saying why (OpenVPN's own last words
     * included) with nothing left behind. {@code loops} must be epoll event loops.
     */
    public static OpenVpnEndpoint start(
            OpenVpnSettings settings,
            EventLoopGroup loops,
            CustomerAuthenticator authenticator,
            Tunnels tunnels,
            Meters meters,
            Duration idleTimeout) {
        OpenVpnEndpoint endpoint = new OpenVpnEndpoint(settings, loops, authenticator, tunnels, meters);
        try {
            endpoint.open(idleTimeout);
            return endpoint;
        } catch (RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    private void open(Duration idleTimeout) {
        names.requireSocketPathFits();
        OpenVpnProcess.stopLeftover(names);
        netfilter.removeLeftovers();
        requireNetworkUnused();

        InetAddress serverAddress = settings.network().serverAddress();
        DnsInitializers dns = new DnsInitializers(flows, meters, new DnsAnswers(tunnels));
        // IP_TRANSPARENT: the listener accepts flows to any destination the kernel diverts to it, and may bind the
        // tun device's address before OpenVPN has created it.
        flowListener = new ServerBootstrap()
                .group(loops)
                .channel(EpollServerSocketChannel.class)
                .option(EpollChannelOption.IP_TRANSPARENT, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // As every customer socket of a tunnel (CustomerPort): the same read sizes and watermarks.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, TunnelBuffers.TUNNEL_SOCKET)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, TunnelBuffers.READS)
                .childHandler(new FlowInitializer(flows, tunnels, dns::tcp, idleTimeout))
                .bind(new InetSocketAddress(serverAddress, 0))
                .syncUninterruptibly()
                .channel();
        dnsSocket = new Bootstrap()
                .group(loops)
                .channel(EpollDatagramChannel.class)
                .option(EpollChannelOption.IP_FREEBIND, true)
                .handler(dns.datagram())
                .bind(new InetSocketAddress(serverAddress, 0))
                .syncUninterruptibly()
                .channel();
        netfilter.install(serverAddress, port(flowListener), port(dnsSocket));

        run = startRun();
        awaitReady(run);
        started = true;
        log.info(
                "OpenVPN is up on {} port {} ({}), clients from {} on {}; its log is {}",
                settings.bind(),
                settings.port(),
                settings.protocol(),
                settings.network(),
                names.tunDevice(),
                names.logFile());
    }

    private Run startRun() {
        OpenVpnSessions sessions = new OpenVpnSessions(authenticator, tunnels, meters, flows);
        ManagementInterface management = ManagementInterface.listen(loops, names.managementSocket(), sessions);
        sessions.attach(management);
        Process process;
        try {
            process = OpenVpnProcess.start(settings, names);
        } catch (RuntimeException e) {
            management.close();
            throw e;
        }
        management.expectPeer(process.pid());
        Run started = new Run(process, management, sessions);
        process.onExit().thenRun(() -> exited(started));
        return started;
    }

    private void awaitReady(Run starting) {
        CompletableFuture<Object> upOrGone = CompletableFuture.anyOf(
                starting.sessions().whenUp(), starting.process().onExit());
        try {
            upOrGone.get(settings.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "OpenVPN did not come up within " + settings.startTimeout().toSeconds() + " s; the end of "
                            + names.logFile() + ":\n" + OpenVpnProcess.logTail(names.logFile(), 15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while OpenVPN started", e);
        } catch (Exception e) {
            throw new IllegalStateException("OpenVPN did not start", e);
        }
        if (!starting.sessions().whenUp().isDone()) {
            throw new IllegalStateException(
                    "OpenVPN exited with " + starting.process().exitValue()
                            + " while starting; the end of " + names.logFile() + ":\n"
                            + OpenVpnProcess.logTail(names.logFile(), 15));
        }
    }

    /** OpenVPN ended: expected while stopping; otherwise its clients are gone and it is started again. */
    private void exited(Run ended) {
        ended.management().close();
        ended.sessions().closed(); // in case the socket's end has not been seen yet: every session is over
        if (stopping || !started || run != ended) {
            return;
        }
        log.error(
                "OpenVPN exited with {}; starting it again in {} s. The end of {}:\n{}",
                ended.process().exitValue(),
                restartDelay.toSeconds(),
                names.logFile(),
                OpenVpnProcess.logTail(names.logFile(), 10));
        scheduleRestart();
    }

    private void restart() {
        if (stopping) {
            return;
        }
        Run next;
        try {
            next = startRun();
        } catch (RuntimeException e) {
            // No process came to life, so no exit will schedule the next attempt: this one does.
            log.error("OpenVPN could not be started again", e);
            scheduleRestart();
            return;
        }
        run = next;
        if (stopping) { // close() ran meanwhile and may have missed this process
            stopRun(next);
            return;
        }
        try {
            awaitReady(next);
            restartDelay = FIRST_RESTART_DELAY;
            log.info("OpenVPN is up again");
        } catch (RuntimeException e) {
            // Its exit schedules the next attempt (exited); one that hangs is stopped here, and exits.
            log.error("OpenVPN did not start again", e);
            if (next.process().isAlive()) {
                OpenVpnProcess.stop(next.process());
            }
        }
    }

    private void scheduleRestart() {
        Duration delay = restartDelay;
        restartDelay = delay.multipliedBy(2).compareTo(LONGEST_RESTART_DELAY) > 0
                ? LONGEST_RESTART_DELAY
                : delay.multipliedBy(2);
        try {
            supervisor.schedule(this::restart, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping: no more restarts
        }
    }

    private static void stopRun(Run ended) {
        OpenVpnProcess.stop(ended.process());
        ended.management().close();
        ended.sessions().closed();
    }

    /** Clients signed in now. */
    public int sessions() {
        Run current = run;
        return current == null ? 0 : current.sessions().size();
    }

    /** Which session each flow belongs to. */
    public FlowTable flows() {
        return flows;
    }

    public OpenVpnNames names() {
        return names;
    }

    private void requireNetworkUnused() {
        try {
            for (NetworkInterface device : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InterfaceAddress address : device.getInterfaceAddresses()) {
                    byte[] bytes = address.getAddress().getAddress();
                    if (bytes.length != 4) {
                        continue;
                    }
                    int value = ((bytes[0] & 0xff) << 24)
                            | ((bytes[1] & 0xff) << 16)
                            | ((bytes[2] & 0xff) << 8)
                            | (bytes[3] & 0xff);
                    if (settings.network().overlaps(value, address.getNetworkPrefixLength())) {
                        throw new IllegalStateException("openvpn-network: " + settings.network() + " overlaps "
                                + address.getAddress().getHostAddress() + "/" + address.getNetworkPrefixLength()
                                + " on " + device.getName() + " (expected: a network no interface of this host uses;"
                                + " give each server its own --openvpn-network)");
                    }
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list this host's network interfaces", e);
        }
    }

    private static int port(Channel channel) {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        stopping = true;
        supervisor.shutdownNow();
        try {
            // A restart under way finishes first (it sees stopping and stops what it started), so the run below
            // is the last one.
            Duration wait = settings.startTimeout().plusSeconds(10);
            if (!supervisor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("OpenVPN's supervisor did not stop within {} s", wait.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Run current = run;
        if (current != null) {
            stopRun(current);
        }
        try {
            netfilter.remove();
        } catch (RuntimeException e) {
            log.warn("could not remove OpenVPN's netfilter rules (table ip {})", names.table(), e);
        }
        if (flowListener != null) {
            flowListener.close().syncUninterruptibly();
        }
        if (dnsSocket != null) {
            dnsSocket.close().syncUninterruptibly();
        }
        deleteQuietly();
        log.info("OpenVPN stopped");
    }

    private void deleteQuietly() {
        try {
            java.nio.file.Files.deleteIfExists(names.pidFile());
        } catch (IOException e) {
            log.debug("cannot remove {}", names.pidFile(), e);
        }
    }
}
