package io.pocketproxy.relay;

import io.pocketproxy.link.LinkSettings;
import io.pocketproxy.relay.auth.FailureThrottle;
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
        FailureThrottle.Limits authLimits) {

    public RelayConfig {
        Objects.requireNonNull(bind, "bind");
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
    }

    public static Builder builder(String bind, int httpPort, int socksPort, int linkPort) {
        return new Builder(bind, httpPort, socksPort, linkPort);
    }

    /** The defaults of DESIGN.md section 3, with what the caller changes. */
    public static final class Builder {
        private final String bind;
        private final int httpPort;
        private final int socksPort;
        private final int linkPort;
        private LinkSettings link = LinkSettings.defaults();
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

        private Builder(String bind, int httpPort, int socksPort, int linkPort) {
            this.bind = bind;
            this.httpPort = httpPort;
            this.socksPort = socksPort;
            this.linkPort = linkPort;
        }

        public Builder link(LinkSettings value) {
            this.link = value;
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

        public RelayConfig build() {
            return new RelayConfig(
                    bind,
                    httpPort,
                    socksPort,
                    linkPort,
                    link,
                    headDeadline,
                    maxHeadBytes,
                    idleTimeout,
                    maxStreamsPerConnection,
                    streamOpenTimeout,
                    usageFlush,
                    heartbeatInterval,
                    directoryRefresh,
                    verifiedTtl,
                    authLimits);
        }
    }

    private static void positive(String name, Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + ": " + duration + " (expected: > 0)");
        }
    }
}
