package io.pocketproxy.app;

import io.pocketproxy.server.ServerConfig;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of {@code pocketproxy server} (DESIGN.md section 5), each also read from POCKETPROXY_<NAME>. */
final class ServerOptions {

    @Mixin
    StorageOptions storage = new StorageOptions();

    @Option(
            names = "--bind",
            defaultValue = "127.0.0.1",
            paramLabel = "ADDRESS",
            description = "Address every listener binds to (default: ${DEFAULT-VALUE}; 0.0.0.0 for all).")
    String bind;

    @Option(
            names = "--public-host",
            paramLabel = "HOST",
            description = "Host name customers and devices are given (default: the bind address).")
    String publicHost;

    @Option(
            names = "--api-port",
            defaultValue = "8080",
            paramLabel = "PORT",
            description = "REST API and dashboard port (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(
            names = "--http-proxy-port",
            defaultValue = "8081",
            paramLabel = "PORT",
            description = "HTTP proxy port for customers (default: ${DEFAULT-VALUE}).")
    int httpProxyPort;

    @Option(
            names = "--socks-port",
            defaultValue = "1080",
            paramLabel = "PORT",
            description = "SOCKS5 proxy port for customers (default: ${DEFAULT-VALUE}).")
    int socksPort;

    @Option(
            names = "--link-port",
            defaultValue = "8443",
            paramLabel = "PORT",
            description = "Port devices' agents link to (default: ${DEFAULT-VALUE}).")
    int linkPort;

    @Option(
            names = "--openvpn-port",
            defaultValue = "1194",
            paramLabel = "PORT",
            description = "OpenVPN port given to OPENVPN connections (default: ${DEFAULT-VALUE}).")
    int openvpnPort;

    @Option(
            names = "--admin-email",
            paramLabel = "EMAIL",
            description = "Creates the first admin if no user exists yet.")
    String adminEmail;

    @Option(
            names = "--admin-password",
            paramLabel = "PASSWORD",
            description =
                    "Password of that first admin; prefer POCKETPROXY_ADMIN_PASSWORD (command lines are visible to all local users).")
    String adminPassword;

    @Option(
            names = "--offline-after",
            defaultValue = "2m",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "A device without a heartbeat for this long is offline (default: ${DEFAULT-VALUE}).")
    Duration offlineAfter;

    @Option(
            names = "--alert-cooldown",
            defaultValue = "5m",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "At most one offline alert per device in this time (default: ${DEFAULT-VALUE}).")
    Duration alertCooldown;

    @Option(
            names = "--usage-flush",
            defaultValue = "5s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How often usage is written to the database (default: ${DEFAULT-VALUE}).")
    Duration usageFlush;

    @Option(
            names = "--session-ttl",
            defaultValue = "12h",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long a dashboard or API login lasts (default: ${DEFAULT-VALUE}).")
    Duration sessionTtl;

    @Option(
            names = "--heartbeat-interval",
            defaultValue = "30s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How often each linked device is asked for its status (default: ${DEFAULT-VALUE}).")
    Duration heartbeatInterval;

    @Option(
            names = "--head-deadline",
            defaultValue = "10s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "Time a proxy customer has to finish its handshake (default: ${DEFAULT-VALUE}).")
    Duration headDeadline;

    @Option(
            names = "--idle-timeout",
            defaultValue = "5m",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "A proxy connection moving no byte for this long is closed (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(
            names = "--max-streams-per-connection",
            defaultValue = "1000",
            paramLabel = "N",
            description = "Open tunnels one proxy connection may have at once (default: ${DEFAULT-VALUE}).")
    int maxStreamsPerConnection;

    @Option(
            names = "--link-stream-window",
            defaultValue = "16MiB",
            converter = SizeConverter.class,
            paramLabel = "SIZE",
            description = "The most a stream's window grows to: bytes a device may send on one stream before the relay"
                    + " acknowledges them (default: ${DEFAULT-VALUE}). Windows start at 256KiB and grow while the"
                    + " customer keeps up; larger is faster on long round trips.")
    int linkStreamWindow;

    @Option(
            names = "--link-window",
            defaultValue = "64MiB",
            converter = SizeConverter.class,
            paramLabel = "SIZE",
            description = "What the streams of one device link may earn together above their first 256KiB, and the most"
                    + " the link carries in flight (default: ${DEFAULT-VALUE}).")
    int linkWindow;

    @Option(
            names = "--tls-cert",
            paramLabel = "PEM",
            description = "The device link's certificate (default: a self-signed one, created in the data directory).")
    java.nio.file.Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The private key of --tls-cert.")
    java.nio.file.Path tlsKey;

    @Option(
            names = "--allow-private-webhooks",
            defaultValue = "false",
            description = "Allow webhook URLs on loopback and private networks (self-hosting, tests).")
    boolean allowPrivateWebhooks;

    @Option(
            names = "--monitor-interval",
            defaultValue = "10s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How often devices are checked for missing heartbeats (default: ${DEFAULT-VALUE}).")
    Duration monitorInterval;

    @Option(
            names = "--webhook-timeout",
            defaultValue = "15s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long a webhook receiver has to answer (default: ${DEFAULT-VALUE}).")
    Duration webhookTimeout;

    @Option(
            names = "--webhook-retry-delays",
            defaultValue = "30s,2m,10m,1h,6h",
            split = ",",
            converter = DurationConverter.class,
            paramLabel = "DURATION[,DURATION...]",
            description = "Waits before each retry of an undelivered webhook; after the last it has failed"
                    + " (default: ${DEFAULT-VALUE}).")
    java.util.List<Duration> webhookRetryDelays;

    ServerConfig toConfig() {
        return ServerConfig.builder(storage.dataDir)
                .databaseUrl(storage.databaseUrl)
                .bind(bind)
                .publicHost(publicHost)
                .apiPort(apiPort)
                .httpProxyPort(httpProxyPort)
                .socksPort(socksPort)
                .linkPort(linkPort)
                .openvpnPort(openvpnPort)
                .admin(adminEmail, adminPassword)
                .offlineAfter(offlineAfter)
                .alertCooldown(alertCooldown)
                .usageFlush(usageFlush)
                .sessionTtl(sessionTtl)
                .allowPrivateWebhooks(allowPrivateWebhooks)
                .heartbeatInterval(heartbeatInterval)
                .headDeadline(headDeadline)
                .idleTimeout(idleTimeout)
                .maxStreamsPerConnection(maxStreamsPerConnection)
                .linkWindows(linkStreamWindow, linkWindow)
                .tls(tlsCertificate, tlsKey)
                .monitorInterval(monitorInterval)
                .webhookTimeout(webhookTimeout)
                .webhookRetryDelays(webhookRetryDelays)
                .build();
    }
}
