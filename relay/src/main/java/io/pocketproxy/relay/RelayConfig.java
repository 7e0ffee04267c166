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

    /** The defaults of DESIGN.md section 3, on the given ports. */
    public static RelayConfig defaults(String bind, int httpPort, int socksPort, int linkPort) {
        return new RelayConfig(
                bind,
                httpPort,
                socksPort,
                linkPort,
                LinkSettings.defaults(),
                Duration.ofSeconds(10),
                64 * 1024,
                Duration.ofMinutes(5),
                1000,
                Duration.ofSeconds(30),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                Duration.ofMinutes(1),
                Duration.ofMinutes(10),
                new FailureThrottle.Limits(10, 50, Duration.ofSeconds(6)));
    }

    public RelayConfig withUsageFlush(Duration interval) {
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
                interval,
                heartbeatInterval,
                directoryRefresh,
                verifiedTtl,
                authLimits);
    }

    public RelayConfig withHeartbeatInterval(Duration interval) {
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
                interval,
                directoryRefresh,
                verifiedTtl,
                authLimits);
    }

    public RelayConfig withLink(LinkSettings settings) {
        return new RelayConfig(
                bind,
                httpPort,
                socksPort,
                linkPort,
                settings,
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

    public RelayConfig withHeadDeadline(Duration deadline) {
        return new RelayConfig(
                bind,
                httpPort,
                socksPort,
                linkPort,
                link,
                deadline,
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

    public RelayConfig withIdleTimeout(Duration timeout) {
        return new RelayConfig(
                bind,
                httpPort,
                socksPort,
                linkPort,
                link,
                headDeadline,
                maxHeadBytes,
                timeout,
                maxStreamsPerConnection,
                streamOpenTimeout,
                usageFlush,
                heartbeatInterval,
                directoryRefresh,
                verifiedTtl,
                authLimits);
    }

    public RelayConfig withMaxStreamsPerConnection(int max) {
        return new RelayConfig(
                bind,
                httpPort,
                socksPort,
                linkPort,
                link,
                headDeadline,
                maxHeadBytes,
                idleTimeout,
                max,
                streamOpenTimeout,
                usageFlush,
                heartbeatInterval,
                directoryRefresh,
                verifiedTtl,
                authLimits);
    }

    private static void positive(String name, Duration duration) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + ": " + duration + " (expected: > 0)");
        }
    }
}
