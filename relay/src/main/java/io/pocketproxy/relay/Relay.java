package io.pocketproxy.relay;

import io.netty.channel.EventLoopGroup;
import io.pocketproxy.link.Threads;
import io.pocketproxy.link.Transport;
import io.pocketproxy.relay.auth.CustomerAuthenticator;
import io.pocketproxy.relay.auth.Customers;
import io.pocketproxy.relay.auth.PasswordHashing;
import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.relay.directory.ChangeHandler;
import io.pocketproxy.relay.directory.ConnectionDirectory;
import io.pocketproxy.relay.directory.DeviceDirectory;
import io.pocketproxy.relay.directory.UsageSink;
import io.pocketproxy.relay.http.HttpProxyInitializer;
import io.pocketproxy.relay.link.DeviceLinks;
import io.pocketproxy.relay.link.LinkServer;
import io.pocketproxy.relay.link.PeerLinks;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.relay.openvpn.OpenVpnEndpoint;
import io.pocketproxy.relay.openvpn.OpenVpnSettings;
import io.pocketproxy.relay.peer.ForwardedStreams;
import io.pocketproxy.relay.socks.SocksInitializer;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.relay.tunnel.Tunnels;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane: customers in on the HTTP proxy and SOCKS5 ports, devices in on the link port, and a
 * metered tunnel through the right device for every customer connection. It reaches storage only through
 * the {@link ConnectionDirectory}, {@link DeviceDirectory} and {@link UsageSink} it is given.
 */
public final class Relay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private volatile boolean serving;
    private final DeviceLinks links;
    private final DeviceDirectory devices;
    private final Meters meters;
    private final Customers customers;
    private final ConnectionDirectory connections;
    private final CustomerAuthenticator authenticator;
    private final ScheduledExecutorService refresher;
    private final RelayConfig config;
    private Tunnels tunnels;
    private PeerLinks peers;
    private int httpPort;
    private int socksPort;
    private int linkPort;

    private Relay(
            RelayConfig config,
            ConnectionDirectory connections,
            DeviceDirectory devices,
            UsageSink usage,
            PasswordHashing hashing,
            Clock clock) {
        this.config = config;
        this.meters = new Meters(usage, config.usageFlush());
        // A device's link that leaves hands its connections' counts to the database for the relay it goes to.
        this.links = new DeviceLinks(
                devices, deviceId -> meters.release(deviceId).thenRun(() -> devices.released(deviceId)));
        this.devices = devices;
        this.boss = Transport.eventLoops(1, "relay-accept");
        // One loop per core: a tunnel's customer and device stream share one loop, and every loop more is one
        // more thread to wake on a busy machine.
        this.workers = Transport.eventLoops(Runtime.getRuntime().availableProcessors(), "relay-io");
        this.connections = connections;
        this.customers = new Customers(connections, config.directoryRefresh(), config.verifiedTtl());
        this.authenticator =
                new CustomerAuthenticator(customers, hashing, config.verifiedTtl(), config.authLimits(), clock);
        this.refresher = Executors.newSingleThreadScheduledExecutor(Threads.daemon("relay-refresh"));
    }

    public static Relay start(
            RelayConfig config,
            RelayCertificate certificate,
            ConnectionDirectory connections,
            DeviceDirectory devices,
            UsageSink usage,
            PasswordHashing hashing,
            Clock clock) {
        Relay relay = new Relay(config, connections, devices, usage, hashing, clock);
        try {
            relay.open(config, certificate, devices, clock);
            return relay;
        } catch (RuntimeException e) {
            relay.close();
            throw e;
        }
    }

    private void open(RelayConfig config, RelayCertificate certificate, DeviceDirectory devices, Clock clock) {
        peers = new PeerLinks(workers, certificate, config.link(), devices, config.streamOpenTimeout());
        parts.push(peers);
        parts.push(connections.subscribe(new DirectoryChanges()));
        long refresh = config.directoryRefresh().toMillis();
        refresher.scheduleWithFixedDelay(this::refreshMeters, refresh, refresh, TimeUnit.MILLISECONDS);

        tunnels = new Tunnels(links, peers, meters, config.maxStreamsPerConnection(), config.idleTimeout());
        ForwardedStreams forwarded = new ForwardedStreams(customers, tunnels);
        CustomerPort http = CustomerPort.bind(
                boss,
                workers,
                config.bind(),
                config.httpPort(),
                new HttpProxyInitializer(authenticator, tunnels, config.headDeadline(), config.maxHeadBytes()));
        parts.push(http);
        CustomerPort socks = CustomerPort.bind(
                boss,
                workers,
                config.bind(),
                config.socksPort(),
                new SocksInitializer(authenticator, tunnels, config.headDeadline()));
        parts.push(socks);
        LinkServer linkServer = LinkServer.start(
                boss,
                workers,
                new InetSocketAddress(config.bind(), config.linkPort()),
                certificate,
                config.link(),
                devices,
                links,
                config.headDeadline(),
                config.streamOpenTimeout(),
                config.heartbeatInterval(),
                clock,
                forwarded::forDevice);
        parts.push(linkServer);
        httpPort = http.port();
        socksPort = socks.port();
        linkPort = linkServer.port();
        log.info("link TLS by {}", io.netty.handler.ssl.SslContext.defaultServerProvider());
        serving = true;
        log.info(
                "relay is up: HTTP proxy on {}:{}, SOCKS5 on {}:{}, device links on {}:{}",
                config.bind(),
                httpPort,
                config.bind(),
                socksPort,
                config.bind(),
                linkPort);
    }

    /**
     * Starts the OpenVPN endpoint: its customers sign in with this relay's authentication, and their flows go
     * through this relay's tunnels and meters. It stops with the relay (before the device links). Fails, with
     * nothing left running, when OpenVPN does not come up.
     */
    public OpenVpnEndpoint startOpenVpn(OpenVpnSettings settings) {
        OpenVpnEndpoint endpoint =
                OpenVpnEndpoint.start(settings, workers, authenticator, tunnels, meters, config.idleTimeout());
        parts.push(endpoint);
        return endpoint;
    }

    /** What the relay does with the directory's change notices. */
    private final class DirectoryChanges implements ChangeHandler {

        /** Runs on the directory's thread. */
        @Override
        public void apply(Change change) {
            switch (change.kind()) {
                case DEVICE_DELETED -> {
                    links.close(change.id());
                    peers.forget(change.id());
                }
                case DEVICE_RELEASED -> links.released(change.id());
                case DEVICE_LINKED -> {
                    links.closeIfLinkedElsewhere(change.id());
                    peers.forget(change.id()); // the next customer finds where it went
                }
                case CONNECTION_DELETED -> {
                    customers.forget(change.id());
                    meters.remove(change.id());
                }
                default -> {
                    customers.forget(change.id());
                    reread(change.id(), change.kind().wireName());
                }
            }
        }

        /**
         * Notices were lost while the directory was not listening: every customer and meter the relay holds is read
         * again. A connection deleted meanwhile loses its meter and tunnels, a changed one gets what it missed. A
         * deleted device's link is not re-read here: its token no longer signs in, and its connections' tunnels end
         * with their meters.
         */
        @Override
        public void resync() {
            customers.refreshAll();
            refreshMeters();
        }
    }

    /** Reads a connection with a meter again and applies it (its meter goes when the connection is gone). */
    private void reread(UUID id, String why) {
        long read = meters.readStarting();
        connections.findById(id).whenComplete((record, error) -> {
            if (error != null) {
                log.warn("cannot re-read connection {} after {}", id, why, error);
            } else {
                record.ifPresentOrElse(found -> meters.apply(found, read), () -> meters.remove(id));
            }
        });
    }

    /** Heals a lost change notice: every connection with a meter is re-read at least once a refresh interval. */
    private void refreshMeters() {
        try {
            meters.ids().forEach(id -> {
                long read = meters.readStarting();
                connections.findById(id).whenComplete((record, error) -> {
                    if (error == null) {
                        record.ifPresentOrElse(found -> meters.apply(found, read), () -> meters.remove(id));
                    }
                });
            });
        } catch (RuntimeException e) {
            log.warn("refreshing connections failed; will retry", e);
        }
    }

    /** Whether the relay serves customers: from its start until it begins to stop, database or not. */
    public boolean serving() {
        return serving;
    }

    public int httpPort() {
        return httpPort;
    }

    public int socksPort() {
        return socksPort;
    }

    public int linkPort() {
        return linkPort;
    }

    public DeviceLinks links() {
        return links;
    }

    /** The hand-off to devices, this relay's own or through the farm's other relays (tests reach devices here). */
    public Tunnels tunnels() {
        return tunnels;
    }

    /** The connections' meters: what each holds open (streams, tunnels) is how a test sees nothing was left behind. */
    public Meters meters() {
        return meters;
    }

    /** Writes every counted byte to the usage sink now (tests, and the shutdown path). */
    public void flushUsage() {
        meters.flush();
    }

    /** Stops listening, ends device links, and writes every counted byte before returning. */
    @Override
    public void close() {
        serving = false;
        while (!parts.isEmpty()) {
            try {
                parts.pop().close();
            } catch (Exception e) {
                log.warn("could not stop a relay part cleanly", e);
            }
        }
        List<UUID> unlinked = links.closeAll();
        refresher.shutdownNow();
        boolean flushed = meters.closeFlushed();
        if (flushed) {
            // What the devices' connections counted here is written: the relays they go to need not wait for it.
            unlinked.forEach(devices::released);
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (flushed) {
            log.info("relay stopped; usage flushed");
        } else {
            log.error("relay stopped; the usage counted since the last flush could not be written (the database did"
                    + " not answer) and is lost");
        }
    }
}
