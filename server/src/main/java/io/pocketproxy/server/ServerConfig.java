package io.pocketproxy.server;

import io.pocketproxy.relay.RelayConfig;
import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.relay.openvpn.OpenVpnProtocol;
import io.pocketproxy.relay.openvpn.PoolNetwork;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.server.db.DatabaseUrls;
import io.pocketproxy.server.rotation.RotationSettings;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code pocketproxy server} is told, validated once when built (every refusal names the option,
 * the value and what was expected) and frozen. The relay's part is the relay's own {@link RelayConfig},
 * with its defaults and checks. {@link #toString()} masks secrets so the whole configuration is logged once,
 * at start.
 *
 * @param dataDir where embedded PostgreSQL and the relay certificate live
 * @param databaseUrl an external PostgreSQL to use instead of the embedded one, or {@code null}
 * @param publicHost the host customers and devices are told to reach; {@code null} = derived from bind
 * @param relayHost the host the farm's other relays reach this relay's link port at, when {@code publicHost} is a
 *     name all relays share; {@code null} = {@link #advertisedHost()}
 * @param openvpn whether the OpenVPN endpoint runs: on, off, or on when this host allows it
 * @param openvpnPort the OpenVPN endpoint's port (UDP, or TCP as {@code openvpnProto} says)
 * @param openvpnNetwork the network OpenVPN clients' addresses come from
 * @param sessionTtl how long a login stays valid
 * @param trustForwardedProto whether {@code X-Forwarded-Proto} says how a request reached us: on behind a
 *     TLS-terminating proxy that sets it, so the session cookie gets {@code Secure} and the dashboard's origin is
 *     {@code https}; off (the default) when clients reach the API directly and could send the header themselves
 * @param tlsCertificate the link's certificate (PEM), or {@code null} for the self-signed one in the data directory
 * @param tlsKey the private key (PEM) of {@code tlsCertificate}
 * @param monitorInterval how often devices are checked for missing heartbeats
 * @param webhookTimeout the deadline of one webhook request, from connecting to the answer's last byte
 * @param webhookRetryDelays the waits before each retry of a failed webhook; after the last, it has failed
 * @param webhookPoll how often the outbox is checked for webhooks due
 * @param metricsToken the bearer token {@code /metrics} requires, or {@code null}: then it answers loopback clients
 *     only
 * @param rotation how IP rotations are paced and bounded
 * @param relay the listeners, link, metering and customer-facing limits of the relay in this process
 */
public record ServerConfig(
        Path dataDir,
        String databaseUrl,
        String publicHost,
        String relayHost,
        int apiPort,
        OpenVpnMode openvpn,
        int openvpnPort,
        OpenVpnProtocol openvpnProto,
        PoolNetwork openvpnNetwork,
        String adminEmail,
        String adminPassword,
        Duration offlineAfter,
        Duration alertCooldown,
        boolean allowPrivateWebhooks,
        Duration sessionTtl,
        boolean trustForwardedProto,
        Path tlsCertificate,
        Path tlsKey,
        Duration monitorInterval,
        Duration webhookTimeout,
        List<Duration> webhookRetryDelays,
        Duration webhookPoll,
        String metricsToken,
        RotationSettings rotation,
        RelayConfig relay) {

    public ServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        dataDir = dataDir.toAbsolutePath().normalize();
        if (databaseUrl != null && databaseUrl.isBlank()) {
            databaseUrl = null;
        }
        if (databaseUrl != null) {
            DatabaseUrls.parse(databaseUrl); // refuses a malformed URL now, before anything starts
        }
        if (publicHost != null && publicHost.isBlank()) {
            publicHost = null;
        }
        if (relayHost != null && relayHost.isBlank()) {
            relayHost = null;
        }
        requirePort("api-port", apiPort);
        requirePort("openvpn-port", openvpnPort);
        Objects.requireNonNull(openvpn, "openvpn");
        Objects.requireNonNull(openvpnProto, "openvpnProto");
        Objects.requireNonNull(openvpnNetwork, "openvpnNetwork");
        if (openvpn == OpenVpnMode.ON && openvpnPort == 0) {
            throw new IllegalArgumentException(
                    "openvpn-port: 0 (expected: 1-65535 with --openvpn on; OpenVPN needs a port it is told)");
        }
        if ((adminEmail == null) != (adminPassword == null)) {
            throw new IllegalArgumentException(
                    "admin-email and admin-password: only one given (expected: both, or neither)");
        }
        Objects.requireNonNull(rotation, "rotation");
        requirePositive("offline-after", offlineAfter);
        requirePositive("alert-cooldown", alertCooldown);
        requirePositive("session-ttl", sessionTtl);
        requirePositive("monitor-interval", monitorInterval);
        requirePositive("webhook-timeout", webhookTimeout);
        requirePositive("webhook-poll", webhookPoll);
        if (webhookRetryDelays == null) {
            throw new IllegalArgumentException("webhook-retry-delays: missing");
        }
        webhookRetryDelays = List.copyOf(webhookRetryDelays);
        webhookRetryDelays.forEach(delay -> requirePositive("webhook-retry-delays", delay));
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tls-cert and tls-key: only one given (expected: both, or neither)");
        }
        if (metricsToken != null && metricsToken.isBlank()) {
            metricsToken = null;
        }
        if (metricsToken != null && (metricsToken.length() < 16 || !metricsToken.matches("[\\x21-\\x7e]+"))) {
            throw new IllegalArgumentException("metrics-token: " + metricsToken.length()
                    + " characters (expected: at least 16 printable ASCII characters, no spaces)");
        }
        Objects.requireNonNull(relay, "relay");
    }

    /** The defaults of {@code pocketproxy server}, rooted at {@code dataDir}. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** The address every listener binds to, the API's as well as the relay's. */
    public String bind() {
        return relay.bind();
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
    /** Where the farm's other relays reach this relay's link port: {@code relayHost}, else {@link #advertisedHost()}. */
    public String farmHost() {
        return relayHost != null ? relayHost : advertisedHost();
    }

    public String advertisedHost() {
        if (publicHost != null) {
            return publicHost;
        }
        if (!bind().equals("0.0.0.0") && !bind().equals("::")) {
            return bind();
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
            if ((component.getName().equals("adminPassword")
                            || component.getName().equals("metricsToken"))
                    && value != null) {
                value = "****";
            } else if (component.getName().equals("databaseUrl")) {
                value = value == null ? "embedded" : DatabaseUrls.masked((String) value);
            }
            text.append(component.getName()).append('=').append(value).append(", ");
        }
        return text.append("advertisedHost=")
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
     * Builds a config from defaults plus what was given. Its initial values, and {@link RelayConfig}'s for
     * the relay's settings, are the one place the defaults of {@code pocketproxy server} are written: the
     * command line's options start from them and {@code --help} shows them.
     */
    public static final class Builder {
        private final RelayConfig.Builder relay = RelayConfig.builder();
        private Path dataDir;
        private String databaseUrl;
        private String publicHost;
        private String relayHost;
        private int apiPort = 8080;
        private OpenVpnMode openvpn = OpenVpnMode.AUTO;
        private int openvpnPort = 1194;
        private OpenVpnProtocol openvpnProto = OpenVpnProtocol.UDP;
        private PoolNetwork openvpnNetwork = PoolNetwork.parse("10.8.0.0/16");
        private String adminEmail;
        private String adminPassword;
        private Duration offlineAfter = Duration.ofMinutes(2);
        private Duration alertCooldown = Duration.ofMinutes(5);
        private RotationSettings rotation = RotationSettings.DEFAULTS;
        private boolean allowPrivateWebhooks;
        private Duration sessionTtl = Duration.ofHours(12);
        private boolean trustForwardedProto;
        private Path tlsCertificate;
        private Path tlsKey;
        private Duration monitorInterval = Duration.ofSeconds(10);
        private Duration webhookTimeout = Duration.ofSeconds(15);
        private List<Duration> webhookRetryDelays = List.of(
                Duration.ofSeconds(30),
                Duration.ofMinutes(2),
                Duration.ofMinutes(10),
                Duration.ofHours(1),
                Duration.ofHours(6));
        private Duration webhookPoll = Duration.ofSeconds(1);
        private String metricsToken;

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

        public Builder relayHost(String value) {
            this.relayHost = value;
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

        public Builder openvpnPort(int value) {
            this.openvpnPort = value;
            return this;
        }

        /** Whether the OpenVPN endpoint runs; tests that do not test it say {@code OFF}. */
        public Builder openvpn(OpenVpnMode value) {
            this.openvpn = value;
            return this;
        }

        public Builder openvpnProto(OpenVpnProtocol value) {
            this.openvpnProto = value;
            return this;
        }

        public Builder openvpnNetwork(PoolNetwork value) {
            this.openvpnNetwork = value;
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

        public Builder rotation(RotationSettings value) {
            this.rotation = value;
            return this;
        }

        public Builder alertCooldown(Duration value) {
            this.alertCooldown = value;
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

        public Builder trustForwardedProto(boolean value) {
            this.trustForwardedProto = value;
            return this;
        }

        /** The link's certificate and key (PEM files) instead of the self-signed pair in the data directory. */
        public Builder tls(Path certificate, Path key) {
            this.tlsCertificate = certificate;
            this.tlsKey = key;
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

        public Builder webhookRetryDelays(List<Duration> value) {
            this.webhookRetryDelays = value;
            return this;
        }

        public Builder metricsToken(String value) {
            this.metricsToken = value;
            return this;
        }

        public Builder webhookPoll(Duration value) {
            this.webhookPoll = value;
            return this;
        }

        /** Every listener on a port the system picks: for tests that run servers side by side. */
        public Builder ephemeralPorts() {
            relay.ports(0, 0, 0);
            return apiPort(0);
        }

        public Builder bind(String value) {
            relay.bind(value);
            return this;
        }

        public Builder httpProxyPort(int value) {
            relay.httpPort(value);
            return this;
        }

        public Builder socksPort(int value) {
            relay.socksPort(value);
            return this;
        }

        public Builder linkPort(int value) {
            relay.linkPort(value);
            return this;
        }

        public Builder usageFlush(Duration value) {
            relay.usageFlush(value);
            return this;
        }

        public Builder heartbeatInterval(Duration value) {
            relay.heartbeatInterval(value);
            return this;
        }

        public Builder authQueue(int overall, int perAddress) {
            relay.authQueue(overall, perAddress);
            return this;
        }

        public Builder headDeadline(Duration value) {
            relay.headDeadline(value);
            return this;
        }

        public Builder idleTimeout(Duration value) {
            relay.idleTimeout(value);
            return this;
        }

        public Builder maxStreamsPerConnection(int value) {
            relay.maxStreamsPerConnection(value);
            return this;
        }

        public Builder linkWindows(int perStream, int perLink) {
            relay.linkWindows(perStream, perLink);
            return this;
        }

        public Builder directoryRefresh(Duration value) {
            relay.directoryRefresh(value);
            return this;
        }

        public Builder linkPingInterval(Duration value) {
            relay.linkPingInterval(value);
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(
                    dataDir,
                    databaseUrl,
                    publicHost,
                    relayHost,
                    apiPort,
                    openvpn,
                    openvpnPort,
                    openvpnProto,
                    openvpnNetwork,
                    adminEmail,
                    adminPassword,
                    offlineAfter,
                    alertCooldown,
                    allowPrivateWebhooks,
                    sessionTtl,
                    trustForwardedProto,
                    tlsCertificate,
                    tlsKey,
                    monitorInterval,
                    webhookTimeout,
                    webhookRetryDelays,
                    webhookPoll,
                    metricsToken,
                    rotation,
                    relay.build());
        }
    }
}
