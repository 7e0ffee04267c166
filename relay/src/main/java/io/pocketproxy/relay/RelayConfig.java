package io.pocketproxy.relay;

import io.pocketproxy.link.LinkSettings;
import io.pocketproxy.relay.auth.FailureThrottle;
import io.pocketproxy.relay.auth.PasswordHashing;
import java.time.Duration;
import java.util.Objects;

/**
 * The relay's settings, validated once and frozen.
 *
 * @param headDeadline time a customer has to finish its proxy handshake (HTTP request head, SOCKS5 exchange)
 * @param maxHeadBytes largest HTTP request head accepted
 * @param idleTimeout a customer connection moving no byte for this long is closed
 * @param maxStreamsPerConnection open tunnels one proxy connection may have at once
 * @param streamOpenTimeout how long the device may take to answer a CONNECT
 * @param usageFlush how often counted bytes go to the database
 * @param heartbeatInterval how often each linked device is asked for its status
 * @param directoryRefresh connection details are re-read at least this often, in case a change notice was lost
 * @param verifiedTtl how long a password bcrypt accepted is remembered
 * @param authLimits how many failed proxy sign-ins a client may make, and how fast they are forgiven
 * @param authQueue how many password checks may wait for bcrypt, in all and per client address (each of the
 *     customers' and the operators' pools has this queue)
 */
public record RelayConfig(
        String bind,
        int httpPort,
        int socksPort,
        int linkPort,
        LinkSettings link,
        Duration headDeadline,
        int maxHeadBytes,
        Duration idleTimeout,
        int maxStreamsPerConnection,
        Duration streamOpenTimeout,
        Duration usageFlush,
        Duration heartbeatInterval,
        Duration directoryRefresh,
        Duration verifiedTtl,
        FailureThrottle.Limits authLimits,
        PasswordHashing.Queue authQueue) {

    public RelayConfig {
        if (bind == null || bind.isBlank()) {
            throw new IllegalArgumentException("bind: blank (expected: an IP address such as 127.0.0.1 or 0.0.0.0)");
        }
        port("http-proxy-port", httpPort);
        port("socks-port", socksPort);
        port("link-port", linkPort);
        Objects.requireNonNull(link, "link");
        positive("head-deadline", headDeadline);
        positive("idle-timeout", idleTimeout);
        positive("stream-open-timeout", streamOpenTimeout);
        positive("usage-flush", usageFlush);
        positive("heartbeat-interval", heartbeatInterval);
        positive("directory-refresh", directoryRefresh);
        positive("verified-ttl", verifiedTtl);
        if (maxHeadBytes < 1024) {
            throw new IllegalArgumentException("max-head-bytes: " + maxHeadBytes + " (expected: >= 1024)");
        }
        if (maxStreamsPerConnection < 1) {
            throw new IllegalArgumentException(
                    "max-streams-per-connection: " + maxStreamsPerConnection + " (expected: > 0)");
        }
        Objects.requireNonNull(authLimits, "authLimits");
        Objects.requireNonNull(authQueue, "authQueue");
    }

    /** The defaults docs/architecture.md describes (sections 3 and 6). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The defaults docs/architecture.md describes (sections 3 and 6), with what the caller changes: the one place the relay's
     * defaults are written ({@code pocketproxy server}'s options start from them).
     */
    public static final class Builder {
        private static final LinkSettings LINK = LinkSettings.defaults();

        private String bind = "127.0.0.1";
        private int httpPort = 8081;
        private int socksPort = 1080;
        private int linkPort = 8443;
        private int linkStreamWindow = LINK.streamWindowBytes();
        private int linkWindow = LINK.linkWindowBytes();
        private Duration linkPingInterval = LINK.pingInterval();
        private Duration headDeadline = Duration.ofSeconds(10);
        private int maxHeadBytes = 64 * 1024;
        private Duration idleTimeout = Duration.ofMinutes(5);
        private int maxStreamsPerConnection = 1000;
        private Duration streamOpenTimeout = Duration.ofSeconds(30);
        private Duration usageFlush = Duration.ofSeconds(5);
        private Duration heartbeatInterval = Duration.ofSeconds(30);
        private Duration directoryRefresh = Duration.ofMinutes(1);
        private Duration verifiedTtl = Duration.ofMinutes(10);
        private FailureThrottle.Limits authLimits = new FailureThrottle.Limits(10, 50, Duration.ofSeconds(6));
        private PasswordHashing.Queue authQueue = PasswordHashing.Queue.DEFAULT;

        private Builder() {}

        public Builder bind(String value) {
            this.bind = value;
            return this;
        }

        /** The customers' HTTP proxy, their SOCKS5 proxy and the devices' link port; 0 lets the system choose. */
        public Builder ports(int http, int socks, int link) {
            this.httpPort = http;
            this.socksPort = socks;
            this.linkPort = link;
            return this;
        }

        public Builder httpPort(int value) {
            this.httpPort = value;
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

        /** The relay's receive windows on device links, in bytes: the most per stream, and per link. */
        public Builder linkWindows(int perStream, int perLink) {
            this.linkStreamWindow = perStream;
            this.linkWindow = perLink;
            return this;
        }

        public Builder linkPingInterval(Duration value) {
            this.linkPingInterval = value;
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

        public Builder usageFlush(Duration value) {
            this.usageFlush = value;
            return this;
        }

        public Builder heartbeatInterval(Duration value) {
            this.heartbeatInterval = value;
            return this;
        }

        public Builder directoryRefresh(Duration value) {
            this.directoryRefresh = value;
            return this;
        }

        public Builder authQueue(int overall, int perAddress) {
            this.authQueue = new PasswordHashing.Queue(overall, perAddress);
            return this;
        }

        public RelayConfig build() {
            if (linkStreamWindow < LinkSettings.INITIAL_STREAM_WINDOW) {
                throw new IllegalArgumentException("link-stream-window: " + linkStreamWindow + " (expected: >= "
                        + LinkSettings.INITIAL_STREAM_WINDOW + ", the window a stream starts with)");
            }
            if (linkWindow < linkStreamWindow) {
                throw new IllegalArgumentException(
                        "link-window: " + linkWindow + " (expected: >= link-stream-window, " + linkStreamWindow + ")");
            }
            return new RelayConfig(
                    bind,
                    httpPort,
                    socksPort,
                    linkPort,
                    new LinkSettings(
                            linkStreamWindow,
                            linkWindow,
                            LINK.maxConcurrentStreams(),
                            linkPingInterval,
                            LINK.missedPingsAllowed()),
                    headDeadline,
                    maxHeadBytes,
                    idleTimeout,
                    maxStreamsPerConnection,
                    streamOpenTimeout,
                    usageFlush,
                    heartbeatInterval,
                    directoryRefresh,
                    verifiedTtl,
                    authLimits,
                    authQueue);
        }
    }

    private static void port(String name, int port) {
        // 0 asks the system for a free port: tests run many relays side by side.
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + ": " + port + " (expected: 0-65535)");
        }
    }

    private static void positive(String name, Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + ": " + duration + " (expected: > 0)");
        }
    }
}
