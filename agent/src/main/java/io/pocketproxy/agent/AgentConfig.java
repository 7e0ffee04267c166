package io.pocketproxy.agent;

import io.pocketproxy.agent.command.DeviceCommand;
import io.pocketproxy.agent.egress.EgressPath;
import io.pocketproxy.agent.egress.EgressProbe;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.LinkFeature;
import io.pocketproxy.link.LinkSettings;
import io.pocketproxy.link.PairingString;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What an agent is told: where its relay is, how to prove who it is, and how to recognize the relay.
 *
 * @param relays the relays it may link to: the first it reaches, the next when that one dies (a farm's relays share
 *     one certificate)
 * @param relayFingerprint the SHA-256 (base64url) of the relay's certificate to pin, or {@code null} to
 *     trust the system's certificate authorities and check the host name instead
 * @param allowPrivateTargets whether customers may reach loopback and private networks through the device
 * @param features what this agent offers the relay beyond the first link protocol ({@link LinkFeature}); all it
 *     understands, unless a test plays an older agent
 * @param egressIpUrl a plain-text "what is my IP" service to measure the egress IP with ({@code --egress-ip-url}),
 *     or {@code null} to ask the relay
 * @param rotateCommand what changes the device's IP ({@code --rotate-command}), or {@code null}
 * @param egressPath where customers' connections (and the egress IP measurement, and name lookups) leave from
 *     ({@code --bind-interface}, {@code --bind-address})
 * @param dnsServers the DNS servers to ask ({@code --dns}); empty: the host's
 */
public record AgentConfig(
        List<HostAndPort> relays,
        String deviceToken,
        String relayFingerprint,
        boolean allowPrivateTargets,
        Duration connectTimeout,
        Backoff backoff,
        LinkSettings link,
        Set<LinkFeature> features,
        EgressProbe.Service egressIpUrl,
        DeviceCommand rotateCommand,
        EgressPath egressPath,
        List<InetSocketAddress> dnsServers) {

    public AgentConfig {
        if (relays == null || relays.isEmpty()) {
            throw new IllegalArgumentException("relay: missing (expected: HOST:PORT)");
        }
        relays = Collections.unmodifiableList(new ArrayList<>(relays));
        if (deviceToken == null || deviceToken.trim().isEmpty()) {
            throw new IllegalArgumentException(
                    "device token: missing (expected: the token shown when the device was created)");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(link, "link");
        Set<LinkFeature> offered = EnumSet.noneOf(LinkFeature.class);
        offered.addAll(Objects.requireNonNull(features, "features"));
        features = Collections.unmodifiableSet(offered);
        Objects.requireNonNull(egressPath, "egressPath");
        dnsServers = Collections.unmodifiableList(new ArrayList<>(dnsServers));
    }

    public static AgentConfig fromPairing(PairingString pairing, boolean allowPrivateTargets) {
        return of(
                        pairing.relayHost(),
                        pairing.relayPort(),
                        pairing.deviceToken(),
                        pairing.relayFingerprint(),
                        allowPrivateTargets)
                .withRelays(pairing.relays());
    }

    /** The defaults (10 s dial timeout, 1 s to 60 s backoff, the agent's link settings of docs/architecture.md section 4.4) for this relay and token. */
    public static AgentConfig of(
            String relayHost, int relayPort, String deviceToken, String relayFingerprint, boolean allowPrivateTargets) {
        return new AgentConfig(
                Collections.singletonList(PairingString.relay(relayHost, relayPort)),
                deviceToken,
                relayFingerprint,
                allowPrivateTargets,
                Duration.ofSeconds(10),
                Backoff.defaults(),
                LinkSettings.agentDefaults(),
                LinkFeature.all(),
                null,
                null,
                EgressPath.system(),
                Collections.emptyList());
    }

    /** Links to the first of {@code farm} it reaches, moving to the next when its relay dies. */
    public AgentConfig withRelays(List<HostAndPort> farm) {
        return with(copy -> copy.relays = farm);
    }

    public AgentConfig withBackoff(Backoff newBackoff) {
        return with(copy -> copy.backoff = newBackoff);
    }

    /** Offers the relay only these features: an agent of an older protocol (none: the first). */
    public AgentConfig withFeatures(Set<LinkFeature> offered) {
        return with(copy -> copy.features = offered);
    }

    /** Measures the egress IP with this service instead of the relay. */
    public AgentConfig withEgressIpUrl(EgressProbe.Service service) {
        return with(copy -> copy.egressIpUrl = service);
    }

    /** Rotates the device's IP with this command when the relay asks. */
    public AgentConfig withRotateCommand(DeviceCommand command) {
        return with(copy -> copy.rotateCommand = command);
    }

    /** Customers' connections leave from {@code path}, their names asked of {@code servers} (empty: the host's). */
    public AgentConfig withEgress(EgressPath path, List<InetSocketAddress> servers) {
        return with(copy -> {
            copy.egressPath = path;
            copy.dnsServers = servers;
        });
    }

    /** This configuration with {@code change} made to a copy of its fields, checked again. */
    private AgentConfig with(Consumer<Fields> change) {
        Fields copy = new Fields(this);
        change.accept(copy);
        return copy.build();
    }

    /** The components, to copy one configuration into another with a field changed. */
    private static final class Fields {
        List<HostAndPort> relays;
        String deviceToken;
        String relayFingerprint;
        boolean allowPrivateTargets;
        Duration connectTimeout;
        Backoff backoff;
        LinkSettings link;
        Set<LinkFeature> features;
        EgressProbe.Service egressIpUrl;
        DeviceCommand rotateCommand;
        EgressPath egressPath;
        List<InetSocketAddress> dnsServers;

        Fields(AgentConfig config) {
            relays = config.relays;
            deviceToken = config.deviceToken;
            relayFingerprint = config.relayFingerprint;
            allowPrivateTargets = config.allowPrivateTargets;
            connectTimeout = config.connectTimeout;
            backoff = config.backoff;
            link = config.link;
            features = config.features;
            egressIpUrl = config.egressIpUrl;
            rotateCommand = config.rotateCommand;
            egressPath = config.egressPath;
            dnsServers = config.dnsServers;
        }

        AgentConfig build() {
            return new AgentConfig(
                    relays,
                    deviceToken,
                    relayFingerprint,
                    allowPrivateTargets,
                    connectTimeout,
                    backoff,
                    link,
                    features,
                    egressIpUrl,
                    rotateCommand,
                    egressPath,
                    dnsServers);
        }
    }

    /** The first relay's host. */
    public String relayHost() {
        return relays.get(0).host();
    }

    /** The first relay's port. */
    public int relayPort() {
        return relays.get(0).port();
    }

    /** {@code host:port} of the first relay, with brackets around an IPv6 host. */
    public String relayAddress() {
        return relays.get(0).toString();
    }

    @Override
    public String toString() {
        return "AgentConfig[relays=" + relays + ", token=****, fingerprint=" + relayFingerprint
                + ", allowPrivateTargets=" + allowPrivateTargets + ", connectTimeout=" + connectTimeout + "]";
    }
}
