package io.pocketproxy.agent;

import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.LinkSettings;
import io.pocketproxy.link.PairingString;
import java.time.Duration;
import java.util.Objects;

/**
 * What an agent is told: where its relay is, how to prove who it is, and how to recognize the relay.
 *
 * @param relayFingerprint the SHA-256 (base64url) of the relay's certificate to pin, or {@code null} to
 *     trust the system's certificate authorities and check the host name instead
 * @param allowPrivateTargets whether customers may reach loopback and private networks through the device
 */
public record AgentConfig(
        String relayHost,
        int relayPort,
        String deviceToken,
        String relayFingerprint,
        boolean allowPrivateTargets,
        Duration connectTimeout,
        Backoff backoff,
        LinkSettings link) {

    public AgentConfig {
        Objects.requireNonNull(relayHost, "relayHost");
        if (relayPort < 1 || relayPort > 65535) {
            throw new IllegalArgumentException("relay port: " + relayPort + " (expected: 1-65535)");
        }
        if (deviceToken == null || deviceToken.trim().isEmpty()) {
            throw new IllegalArgumentException(
                    "device token: missing (expected: the token shown when the device was created)");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(link, "link");
    }

    public static AgentConfig fromPairing(PairingString pairing, boolean allowPrivateTargets) {
        return of(
                pairing.relayHost(),
                pairing.relayPort(),
                pairing.deviceToken(),
                pairing.relayFingerprint(),
                allowPrivateTargets);
    }

    /** The defaults (10 s dial timeout, 1 s to 60 s backoff, the agent's link settings of docs/architecture.md section 4.4) for this relay and token. */
    public static AgentConfig of(
            String relayHost, int relayPort, String deviceToken, String relayFingerprint, boolean allowPrivateTargets) {
        return new AgentConfig(
                relayHost,
                relayPort,
                deviceToken,
                relayFingerprint,
                allowPrivateTargets,
                Duration.ofSeconds(10),
                Backoff.defaults(),
                LinkSettings.agentDefaults());
    }

    public AgentConfig withBackoff(Backoff newBackoff) {
        return new AgentConfig(
                relayHost,
                relayPort,
                deviceToken,
                relayFingerprint,
                allowPrivateTargets,
                connectTimeout,
                newBackoff,
                link);
    }

    /** {@code host:port} of the relay, with brackets around an IPv6 host. */
    public String relayAddress() {
        return HostAndPort.format(relayHost, relayPort);
    }

    @Override
    public String toString() {
        return "AgentConfig[relay=" + relayAddress() + ", token=****, fingerprint=" + relayFingerprint
                + ", allowPrivateTargets=" + allowPrivateTargets + ", connectTimeout=" + connectTimeout + "]";
    }
}
