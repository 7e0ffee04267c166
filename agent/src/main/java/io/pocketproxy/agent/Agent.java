package io.pocketproxy.agent;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.FingerprintTrustManagerFactory;
import io.pocketproxy.agent.egress.DeviceNames;
import io.pocketproxy.agent.egress.EgressProbe;
import io.pocketproxy.agent.health.HealthSource;
import io.pocketproxy.agent.rotation.Rotator;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.LinkFeature;
import io.pocketproxy.link.LinkProtocol;
import io.pocketproxy.link.Threads;
import io.pocketproxy.link.Transport;
import io.pocketproxy.link.status.StatusReport;
import io.pocketproxy.link.stream.TunnelBuffers;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device side of PocketProxy: keeps one link to the relay open, re-dialling with backoff whenever it
 * drops, and serves the streams the relay opens over it.
 */
public final class Agent implements AutoCloseable {

    public static final String VERSION = versionOf();

    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    /** Where the link stands, for status displays and tests. */
    public enum State {
        CONNECTING,
        LINKED,
        STOPPED
    }

    private final AgentConfig config;
    private final EventLoopGroup group;
    private final ExecutorService resolver;
    private final DeviceNames names;
    private final SslContext ssl;
    private final StreamRouter router;
    private final AtomicInteger links = new AtomicInteger();
    private volatile State state = State.CONNECTING;
    private volatile Channel channel;
    /** Which of the configuration's relays: changed only by {@link #retry}, on the event loop. */
    private volatile int relayIndex;

    private final AtomicInteger failures = new AtomicInteger();
    private final EgressProbe egress;
    private final HealthSource health;
    /** What websites see, as last measured; reported in every heartbeat. */
    private volatile String egressIp;
    /** What the relay agreed to at the last link. */
    private volatile Set<LinkFeature> relayAgreed = Collections.emptySet();

    private final Rotator rotator;

    private Agent(AgentConfig config, HealthSource health) throws SSLException {
        this.config = config;
        this.group = Transport.eventLoops(Math.max(2, Runtime.getRuntime().availableProcessors()), "agent-io");
        // DNS lookups block; they run here, never on an event loop.
        this.resolver = Executors.newFixedThreadPool(4, Threads.daemon("agent-dns"));
        this.names = config.egressPath().isBound() || !config.dnsServers().isEmpty()
                ? DeviceNames.bound(group, config.egressPath(), config.dnsServers())
                : DeviceNames.system(resolver);
        this.ssl = sslContext(config);
        this.health = health;
        this.egress = new EgressProbe(group, config.egressPath(), config.connectTimeout());
        this.rotator = new Rotator(Optional.ofNullable(config.rotateCommand()), this::measureEgressIp);
        this.router = new StreamRouter(
                new TargetDialer(
                        new DestinationPolicy(config.allowPrivateTargets()),
                        names,
                        config.egressPath(),
                        config.connectTimeout()),
                () -> new StatusReport(VERSION, egressIp, this.health.current(), rotator.last()),
                names,
                rotator);
    }

    /** Starts linking to the relay in the background; returns at once. */
    public static Agent start(AgentConfig config) {
        return start(config, HealthSource.unknown());
    }

    /** Starts linking, reporting the device's health from {@code health} in every heartbeat. */
    public static Agent start(AgentConfig config, HealthSource health) {
        try {
            Agent agent = new Agent(config, health);
            log.info("agent {} linking to {}", VERSION, agent.relay());
            agent.dial();
            return agent;
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for the link", e);
        }
    }

    public State state() {
        return state;
    }

    /** How many times the link has come up since start: one more after every reconnection. */
    public int linksEstablished() {
        return links.get();
    }

    private void dial() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.CONNECTING;
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(Transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, TunnelBuffers.LINK)
                .option(ChannelOption.RCVBUF_ALLOCATOR, TunnelBuffers.READS)
                .handler(new LinkInitializer(config, relay(), ssl, router, this::linked));
        HostAndPort relay = relay();
        ChannelFuture connect = bootstrap.connect(relay.host(), relay.port());
        channel = connect.channel();
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                retry("cannot reach relay " + relay + ": " + done.cause().getMessage());
            }
        });
        connect.channel().closeFuture().addListener(closed -> {
            if (connect.isSuccess()) {
                LinkInitializer.Outcome outcome =
                        connect.channel().attr(LinkInitializer.OUTCOME).get();
                retry(outcome == null ? "link to relay closed" : outcome.reason());
            }
        });
    }

    /** The relay it links (or tries to link) to now: one of the configuration's, in turn. */
    public HostAndPort relay() {
        return config.relays().get(relayIndex);
    }

    /** The egress IP as last measured, or {@code null} before the first measurement. */
    public String egressIp() {
        return egressIp;
    }

    private void linked(Set<LinkFeature> agreed) {
        failures.set(0);
        links.incrementAndGet();
        relayAgreed = agreed;
        state = State.LINKED;
        log.info("linked to relay {}", relay());
        // Measured again after every link: a device that re-links has often changed its address.
        measureEgressIp().whenComplete((ip, error) -> {
            if (error != null) {
                log.warn("egress IP unknown: {}", error.getMessage());
            }
        });
    }

    /**
     * Measures the egress IP now and remembers it for the heartbeats. Asks the operator's service when there is one,
     * else the relay, if it can answer (it agreed to {@code address-echo} at the last link).
     */
    private CompletableFuture<String> measureEgressIp() {
        EgressProbe.Service service = config.egressIpUrl();
        if (service == null && relayAgreed.contains(LinkFeature.ADDRESS_ECHO)) {
            service = new EgressProbe.Service(relay(), LinkProtocol.ADDRESS_PATH, ssl);
        }
        if (service == null) {
            CompletableFuture<String> unknown = new CompletableFuture<>();
            unknown.completeExceptionally(new IllegalStateException(
                    "the relay cannot tell it (an older relay) and there is no --egress-ip-url"));
            return unknown;
        }
        EgressProbe.Service asked = service;
        return egress.measure(asked).handle((ip, error) -> {
            if (error != null) {
                throw new CompletionException(new IllegalStateException(
                        "cannot measure the egress IP at " + asked.address() + ": " + error.getMessage(), error));
            }
            if (!ip.equals(egressIp)) {
                log.info("egress IP {}", ip);
                egressIp = ip;
            }
            return ip;
        });
    }

    private void retry(String reason) {
        if (state == State.STOPPED) {
            return;
        }
        state = State.CONNECTING;
        Duration delay = config.backoff().delayAfter(failures.getAndIncrement());
        if (config.relays().size() > 1) {
            // Its relay is gone or unreachable: the farm's next one may not be.
            relayIndex = (relayIndex + 1) % config.relays().size();
            log.warn("{}; trying relay {} in {} ms", reason, relay(), delay.toMillis());
        } else {
            log.warn("{}; retrying in {} ms", reason, delay.toMillis());
        }
        group.schedule(this::dial, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        state = State.STOPPED;
        Channel current = channel;
        if (current != null) {
            current.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        resolver.shutdownNow();
        names.close();
        rotator.close();
        log.info("agent stopped");
    }

    private static SslContext sslContext(AgentConfig config) throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (config.relayFingerprint() != null) {
            // Relays use self-signed certificates: trust exactly the one whose fingerprint we were given.
            String hex = ByteBufUtil.hexDump(Base64.getUrlDecoder().decode(config.relayFingerprint()));
            builder.trustManager(FingerprintTrustManagerFactory.builder("SHA-256")
                    .fingerprints(hex)
                    .build());
        } else {
            builder.endpointIdentificationAlgorithm("HTTPS");
        }
        return builder.build();
    }

    private static String versionOf() {
        String version = Agent.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
