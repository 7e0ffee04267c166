package io.pocketproxy.server;

import io.pocketproxy.link.LinkSettings;
import io.pocketproxy.relay.RelayConfig;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.server.db.DatabaseUrls;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@code pocketproxy server} is told, validated once when built (every refusal names the option,
 * the value and what was expected) and frozen. {@link #toString()} masks secrets so the whole configuration
 * is logged once, at start.
 *
 * @param dataDir where embedded PostgreSQL and the relay certificate live
 * @param databaseUrl an external PostgreSQL to use instead of the embedded one, or {@code null}
 * @param publicHost the host customers and devices are told to reach; {@code null} = derived from bind
 * @param sessionTtl how long a login stays valid
 * @param heartbeatInterval how often the relay asks each linked device for its status
 * @param headDeadline time a proxy customer has to finish its handshake
 * @param idleTimeout a proxy connection moving no byte for this long is closed
 * @param maxStreamsPerConnection open tunnels one proxy connection may have at once
 * @param linkStreamWindow bytes a device may send on one stream before the relay acknowledges them
 * @param linkWindow bytes a device may send on its whole link before the relay acknowledges them
 * @param directoryRefresh the relay re-reads what it caches at least this often, in case a change notice was lost
 * @param tlsCertificate the link's certificate (PEM), or {@code null} for the self-signed one in the data directory
 * @param tlsKey the private key (PEM) of {@code tlsCertificate}
 * @param linkPingInterval how often the relay pings each device link (two unanswered pings end it)
 * @param monitorInterval how often devices are checked for missing heartbeats
 * @param webhookTimeout how long a webhook receiver has to answer
 * @param webhookRetryDelays the waits before each retry of a failed webhook; after the last, it has failed
 * @param webhookPoll how often the outbox is checked for webhooks due
 */
public record ServerConfig(
        Path dataDir,
        String databaseUrl,
        String bind,
        String publicHost,
        int apiPort,
        int httpProxyPort,
        int socksPort,
        int linkPort,
        int openvpnPort,
        String adminEmail,
        String adminPassword,
        Duration offlineAfter,
        Duration alertCooldown,
        Duration usageFlush,
        boolean allowPrivateWebhooks,
        Duration sessionTtl,
        Duration heartbeatInterval,
        Duration headDeadline,
        Duration idleTimeout,
        int maxStreamsPerConnection,
        int linkStreamWindow,
        int linkWindow,
        Duration directoryRefresh,
        Path tlsCertificate,
        Path tlsKey,
        Duration linkPingInterval,
        Duration monitorInterval,
        Duration webhookTimeout,
        java.util.List<Duration> webhookRetryDelays,
        Duration webhookPoll) {

    /** The relay's own defaults (DESIGN.md section 3) for the settings a server passes on to its relay. */
    private static final RelayConfig RELAY =
            RelayConfig.builder("127.0.0.1", 0, 0, 0).build();

    public ServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        if (databaseUrl != null && databaseUrl.isBlank()) {
            databaseUrl = null;
        }
        if (databaseUrl != null) {
            DatabaseUrls.parse(databaseUrl); // refuses a malformed URL now, before anything starts
        }
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("bind: blank (expected: an IP address such as 127.0.0.1 or 0.0.0.0)");
        }
        if (publicHost != null && publicHost.isBlank()) {
            publicHost = null;
        }
        requirePort("api-port", apiPort);
        requirePort("http-proxy-port", httpProxyPort);
        requirePort("socks-port", socksPort);
        requirePort("link-port", linkPort);
        requirePort("openvpn-port", openvpnPort);
        if ((adminEmail == null) != (adminPassword == null)) {
            throw new IllegalArgumentException(
                    "admin-email and admin-password: only one given (expected: both, or neither)");
        }
        requirePositive("offline-after", offlineAfter);
        requirePositive("alert-cooldown", alertCooldown);
        requirePositive("usage-flush", usageFlush);
        requirePositive("session-ttl", sessionTtl);
        requirePositive("heartbeat-interval", heartbeatInterval);
        requirePositive("head-deadline", headDeadline);
        requirePositive("idle-timeout", idleTimeout);
        if (linkStreamWindow < LinkSettings.INITIAL_STREAM_WINDOW) {
            throw new IllegalArgumentException("link-stream-window: " + linkStreamWindow + " (expected: >= "
                    + LinkSettings.INITIAL_STREAM_WINDOW + ", the window a stream starts with)");
        }
        if (linkWindow < linkStreamWindow) {
            throw new IllegalArgumentException(
                    "link-window: " + linkWindow + " (expected: >= link-stream-window, " + linkStreamWindow + ")");
        }
        requirePositive("directory-refresh", directoryRefresh);
        requirePositive("link-ping-interval", linkPingInterval);
        requirePositive("monitor-interval", monitorInterval);
        requirePositive("webhook-timeout", webhookTimeout);
        requirePositive("webhook-poll", webhookPoll);
        if (webhookRetryDelays == null) {
            throw new IllegalArgumentException("webhook-retry-delays: missing");
        }
        webhookRetryDelays = java.util.List.copyOf(webhookRetryDelays);
        webhookRetryDelays.forEach(delay -> requirePositive("webhook-retry-delays", delay));
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tls-cert and tls-key: only one given (expected: both, or neither)");
        }
        if (maxStreamsPerConnection < 1) {
            throw new IllegalArgumentException(
                    "max-streams-per-connection: " + maxStreamsPerConnection + " (expected: > 0)");
        }
    }

    /** The defaults of {@code pocketproxy server}, rooted at {@code dataDir}. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** The relay's settings: the listeners of this config and the defaults of DESIGN.md for the rest. */
    public RelayConfig relayConfig() {
        LinkSettings link = RELAY.link();
        return RelayConfig.builder(bind, httpProxyPort, socksPort, linkPort)
                .link(new LinkSettings(
                        linkStreamWindow,
                        linkWindow,
                        link.maxConcurrentStreams(),
                        linkPingInterval,
                        link.missedPingsAllowed()))
                .usageFlush(usageFlush)
                .heartbeatInterval(heartbeatInterval)
                .headDeadline(headDeadline)
                .idleTimeout(idleTimeout)
                .maxStreamsPerConnection(maxStreamsPerConnection)
                .directoryRefresh(directoryRefresh)
                .build();
    }

    /** The link's certificate: the configured PEM files, or the self-signed pair kept in the data directory. */
    public RelayCertificate relayCertificate() {
        if (tlsCertificate == null) {
            return RelayCertificate.loadOrCreate(dataDir);
        }
        try {
            return RelayCertificate.load(tlsCertificate, tlsKey);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                    "tls-cert/tls-key: cannot read " + tlsCertificate + " and " + tlsKey
                            + " (expected: a PEM certificate and its PEM private key): " + e.getMessage(),
                    e);
        }
    }

    public boolean embeddedDatabase() {
        return databaseUrl == null;
    }

    /** The host name customers and devices use: {@code --public-host}, else the bind address if specific. */
    public String advertisedHost() {
        if (publicHost != null) {
            return publicHost;
        }
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            return bind;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * Every setting, for the one log line at start: generated from the record's components so none is ever
     * left out, with the admin password and the database URL's password masked.
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("ServerConfig[");
        for (RecordComponent component : ServerConfig.class.getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(this);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(component.getName(), e);
            }
            if (component.getName().equals("adminPassword") && value != null) {
                value = "****";
            } else if (component.getName().equals("databaseUrl")) {
                value = value == null ? "embedded" : DatabaseUrls.masked((String) value);
            }
            text.append(text.length() > "ServerConfig[".length() ? ", " : "")
                    .append(component.getName())
                    .append('=')
                    .append(value);
        }
        return text.append(", advertisedHost=")
                .append(advertisedHost())
                .append(']')
                .toString();
    }

    private static void requirePort(String name, int port) {
        // 0 asks the system for a free port: tests run many servers side by side.
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + ": " + port + " (expected: 0-65535)");
        }
    }

    private static void requirePositive(String name, Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + ": " + duration + " (expected: > 0)");
        }
    }

    /**
     * Builds a config from defaults plus what was given. Its initial values are the one place the defaults
     * of {@code pocketproxy server} are written (the relay's come from {@link RelayConfig}): the command
     * line's options start from them and {@code --help} shows them.
     */
    public static final class Builder {
        private Path dataDir;
        private String databaseUrl;
        private String bind = "127.0.0.1";
        private String publicHost;
        private int apiPort = 8080;
        private int httpProxyPort = 8081;
        private int socksPort = 1080;
        private int linkPort = 8443;
        private int openvpnPort = 1194;
        private String adminEmail;
        private String adminPassword;
        private Duration offlineAfter = Duration.ofMinutes(2);
        private Duration alertCooldown = Duration.ofMinutes(5);
        private Duration usageFlush = RELAY.usageFlush();
        private boolean allowPrivateWebhooks;
        private Duration sessionTtl = Duration.ofHours(12);
        private Duration heartbeatInterval = RELAY.heartbeatInterval();
        private Duration headDeadline = RELAY.headDeadline();
        private Duration idleTimeout = RELAY.idleTimeout();
        private int maxStreamsPerConnection = RELAY.maxStreamsPerConnection();
        private int linkStreamWindow = RELAY.link().streamWindowBytes();
        private int linkWindow = RELAY.link().linkWindowBytes();
        private Duration directoryRefresh = RELAY.directoryRefresh();
        private Path tlsCertificate;
        private Path tlsKey;
        private Duration linkPingInterval = RELAY.link().pingInterval();
        private Duration monitorInterval = Duration.ofSeconds(10);
        private Duration webhookTimeout = Duration.ofSeconds(15);
        private java.util.List<Duration> webhookRetryDelays = java.util.List.of(
                Duration.ofSeconds(30),
                Duration.ofMinutes(2),
                Duration.ofMinutes(10),
                Duration.ofHours(1),
                Duration.ofHours(6));
        private Duration webhookPoll = Duration.ofSeconds(1);

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        public Builder dataDir(Path value) {
            this.dataDir = value;
            return this;
        }

        public Builder databaseUrl(String value) {
            this.databaseUrl = value;
            return this;
        }

        public Builder bind(String value) {
            this.bind = value;
            return this;
        }

        public Builder publicHost(String value) {
            this.publicHost = value;
            return this;
        }

        public Builder apiPort(int value) {
            this.apiPort = value;
            return this;
        }

        public Builder httpProxyPort(int value) {
            this.httpProxyPort = value;
            return this;
        }

        public Builder socksPort(int value) {
            this.socksPort = value;
            return this;
        }

        public Builder linkPort(int value) {
            this.linkPort = value;
            return this;
        }

        public Builder openvpnPort(int value) {
            this.openvpnPort = value;
            return this;
        }

        public Builder admin(String email, String password) {
            this.adminEmail = email;
            this.adminPassword = password;
            return this;
        }

        public Builder offlineAfter(Duration value) {
            this.offlineAfter = value;
            return this;
        }

        public Builder alertCooldown(Duration value) {
            this.alertCooldown = value;
            return this;
        }

        public Builder usageFlush(Duration value) {
            this.usageFlush = value;
            return this;
        }

        public Builder allowPrivateWebhooks(boolean value) {
            this.allowPrivateWebhooks = value;
            return this;
        }

        public Builder sessionTtl(Duration value) {
            this.sessionTtl = value;
            return this;
        }

        /** Every listener on a port the system picks: for tests that run servers side by side. */
        public Builder ephemeralPorts() {
            return apiPort(0).httpProxyPort(0).socksPort(0).linkPort(0);
        }

        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = value;
            return this;
        }

        public Builder headDeadline(Duration value) {
            this.headDeadline = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        public Builder maxStreamsPerConnection(int value) {
            this.maxStreamsPerConnection = value;
            return this;
        }

        /** The relay's receive windows on device links, in bytes: per stream and per link. */
        public Builder linkWindows(int perStream, int perLink) {
            this.linkStreamWindow = perStream;
            this.linkWindow = perLink;
            return this;
        }

        public Builder directoryRefresh(Duration value) {
            this.directoryRefresh = value;
            return this;
        }

        /** The link's certificate and key (PEM files) instead of the self-signed pair in the data directory. */
        public Builder tls(Path certificate, Path key) {
            this.tlsCertificate = certificate;
            this.tlsKey = key;
            return this;
        }

        public Builder linkPingInterval(Duration value) {
            this.linkPingInterval = value;
            return this;
        }

        public Builder monitorInterval(Duration value) {
            this.monitorInterval = value;
            return this;
        }

        public Builder webhookTimeout(Duration value) {
            this.webhookTimeout = value;
            return this;
        }

        public Builder webhookRetryDelays(java.util.List<Duration> value) {
            this.webhookRetryDelays = value;
            return this;
        }

        public Builder webhookPoll(Duration value) {
            this.webhookPoll = value;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(
                    dataDir,
                    databaseUrl,
                    bind,
                    publicHost,
                    apiPort,
                    httpProxyPort,
                    socksPort,
                    linkPort,
                    openvpnPort,
                    adminEmail,
                    adminPassword,
                    offlineAfter,
                    alertCooldown,
                    usageFlush,
                    allowPrivateWebhooks,
                    sessionTtl,
                    heartbeatInterval,
                    headDeadline,
                    idleTimeout,
                    maxStreamsPerConnection,
                    linkStreamWindow,
                    linkWindow,
                    directoryRefresh,
                    tlsCertificate,
                    tlsKey,
                    linkPingInterval,
                    monitorInterval,
                    webhookTimeout,
                    webhookRetryDelays,
                    webhookPoll);
        }
    }
}
