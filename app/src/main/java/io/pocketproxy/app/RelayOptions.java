package io.pocketproxy.app;

import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.relay.openvpn.OpenVpnProtocol;
import io.pocketproxy.relay.openvpn.PoolNetwork;
import io.pocketproxy.server.ServerConfig;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The data plane's options, each also read from POCKETPROXY_<NAME>: all that {@code pocketproxy relay} takes, and a
 * part of what {@code pocketproxy server} takes ({@link ServerOptions}). Their defaults are {@link ServerConfig}'s.
 */
final class RelayOptions {

    private static final ServerConfig DEFAULTS = ServerOptions.DEFAULTS;

    @Mixin
    StorageOptions storage = new StorageOptions();

    @Option(
            names = "--bind",
            paramLabel = "ADDRESS",
            description = "Address every listener binds to (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
    String bind = DEFAULTS.bind();

    @Option(
            names = "--public-host",
            paramLabel = "HOST",
            description = "Host name customers and devices are given (default: the bind address).")
    String publicHost;

    @Option(
            names = "--relay-host",
            paramLabel = "HOST",
            description = "Host the farm's other relays reach this one's link port at, when --public-host is a name"
                    + " the relays share (default: --public-host).")
    String relayHost;

    @Option(
            names = "--http-proxy-port",
            paramLabel = "PORT",
            description = "HTTP proxy port for customers (default: ${DEFAULT-VALUE}).")
    int httpProxyPort = DEFAULTS.relay().httpPort();

    @Option(
            names = "--socks-port",
            paramLabel = "PORT",
            description = "SOCKS5 proxy port for customers (default: ${DEFAULT-VALUE}).")
    int socksPort = DEFAULTS.relay().socksPort();

    @Option(
            names = "--link-port",
            paramLabel = "PORT",
            description = "Port devices' agents link to (default: ${DEFAULT-VALUE}).")
    int linkPort = DEFAULTS.relay().linkPort();

    @Option(
            names = "--usage-flush",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How often usage is written to the database (default: ${DEFAULT-VALUE}).")
    Duration usageFlush = DEFAULTS.relay().usageFlush();

    @Option(
            names = "--heartbeat-interval",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How often each linked device is asked for its status (default: ${DEFAULT-VALUE}).")
    Duration heartbeatInterval = DEFAULTS.relay().heartbeatInterval();

    @Option(
            names = "--head-deadline",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "Time a proxy customer has to finish its handshake (default: ${DEFAULT-VALUE}).")
    Duration headDeadline = DEFAULTS.relay().headDeadline();

    @Option(
            names = "--auth-queue",
            paramLabel = "N",
            description =
                    "Password checks that may wait for bcrypt, for proxy customers and (separately) for dashboard"
                            + " sign-ins; beyond it a sign-in is answered 'busy, retry after' at once (default: ${DEFAULT-VALUE}).")
    int authQueue = DEFAULTS.relay().authQueue().overall();

    @Option(
            names = "--auth-queue-per-address",
            paramLabel = "N",
            description = "Of --auth-queue, what one client address may take (default: ${DEFAULT-VALUE}).")
    int authQueuePerAddress = DEFAULTS.relay().authQueue().perAddress();

    @Option(
            names = "--idle-timeout",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "A proxy connection moving no byte for this long is closed (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout = DEFAULTS.relay().idleTimeout();

    @Option(
            names = "--max-streams-per-connection",
            paramLabel = "N",
            description = "Open tunnels one proxy connection may have at once (default: ${DEFAULT-VALUE}).")
    int maxStreamsPerConnection = DEFAULTS.relay().maxStreamsPerConnection();

    @Option(
            names = "--link-stream-window",
            converter = SizeConverter.class,
            paramLabel = "SIZE",
            description = "The most a stream's window grows to: bytes a device may send on one stream before the relay"
                    + " acknowledges them (default: ${DEFAULT-VALUE}). Windows start at 256KiB and grow while the"
                    + " customer keeps up; larger is faster on long round trips.")
    int linkStreamWindow = DEFAULTS.relay().link().streamWindowBytes();

    @Option(
            names = "--link-window",
            converter = SizeConverter.class,
            paramLabel = "SIZE",
            description = "What the streams of one device link may earn together above their first 256KiB, and the most"
                    + " the link carries in flight (default: ${DEFAULT-VALUE}).")
    int linkWindow = DEFAULTS.relay().link().linkWindowBytes();

    @Option(
            names = "--openvpn",
            converter = OpenVpnConverters.Mode.class,
            paramLabel = "auto|on|off",
            description = "Run the OpenVPN endpoint: auto = when this host allows it (the openvpn program, a tun"
                    + " device, netfilter; on a relay also the server's OpenVPN keys), on = or fail, off = never"
                    + " (default: ${DEFAULT-VALUE}).")
    OpenVpnMode openvpn = DEFAULTS.openvpn();

    @Option(
            names = "--openvpn-port",
            paramLabel = "PORT",
            description = "OpenVPN port given to OPENVPN connections (default: ${DEFAULT-VALUE}).")
    int openvpnPort = DEFAULTS.openvpnPort();

    @Option(
            names = "--openvpn-proto",
            converter = OpenVpnConverters.Protocol.class,
            paramLabel = "udp|tcp",
            description = "OpenVPN over UDP, or over TCP for customers behind firewalls (default: ${DEFAULT-VALUE}).")
    OpenVpnProtocol openvpnProto = DEFAULTS.openvpnProto();

    @Option(
            names = "--openvpn-network",
            converter = OpenVpnConverters.Network.class,
            paramLabel = "CIDR",
            description = "IPv4 network OpenVPN clients get their addresses from; its first address is this node's"
                    + " (default: ${DEFAULT-VALUE}).")
    PoolNetwork openvpnNetwork = DEFAULTS.openvpnNetwork();

    @Option(
            names = "--tls-cert",
            paramLabel = "PEM",
            description = "The device link's certificate (default: a self-signed one, created in the data directory).")
    java.nio.file.Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The private key of --tls-cert.")
    java.nio.file.Path tlsKey;

    /** Sets the data plane's part of {@code config} from these options. */
    ServerConfig.Builder configure(ServerConfig.Builder config) {
        return config.databaseUrl(storage.databaseUrl)
                .bind(bind)
                .publicHost(publicHost)
                .relayHost(relayHost)
                .httpProxyPort(httpProxyPort)
                .socksPort(socksPort)
                .linkPort(linkPort)
                .usageFlush(usageFlush)
                .heartbeatInterval(heartbeatInterval)
                .headDeadline(headDeadline)
                .authQueue(authQueue, authQueuePerAddress)
                .idleTimeout(idleTimeout)
                .maxStreamsPerConnection(maxStreamsPerConnection)
                .linkWindows(linkStreamWindow, linkWindow)
                .tls(tlsCertificate, tlsKey)
                .openvpn(openvpn)
                .openvpnPort(openvpnPort)
                .openvpnProto(openvpnProto)
                .openvpnNetwork(openvpnNetwork);
    }

    /** A relay's configuration: these options, the rest the built-in defaults. */
    ServerConfig toConfig() {
        return configure(ServerConfig.builder(storage.dataDir)).build();
    }
}
