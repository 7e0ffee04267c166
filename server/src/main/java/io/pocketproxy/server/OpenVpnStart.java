package io.pocketproxy.server;

import io.pocketproxy.relay.Relay;
import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.relay.openvpn.OpenVpnPki;
import io.pocketproxy.relay.openvpn.OpenVpnPrerequisites;
import io.pocketproxy.relay.openvpn.OpenVpnSettings;
import io.pocketproxy.server.openvpn.OpenVpnRemote;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a node's OpenVPN endpoint as {@code --openvpn} says: {@code off} never, {@code on} or fail, {@code auto}
 * when this host has what it needs and it starts (else one line says why not: what is missing, or why it did not
 * start, such as its port taken by another OpenVPN). With {@code on}, a failed start is an error: the operator asked
 * for it. The same for a server and for a {@code pocketproxy relay}; they differ in where the keys come from.
 */
final class OpenVpnStart {

    private static final Logger log = LoggerFactory.getLogger(OpenVpnStart.class);

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /** What came of it. */
    sealed interface Outcome {}

    /** OpenVPN runs with {@code pki}, reached by customers at {@code remote}. */
    record Running(OpenVpnPki pki, OpenVpnRemote remote) implements Outcome {}

    /** OpenVPN is off; {@code reason} completes "OpenVPN is off on this server: ...". */
    record Off(String reason) implements Outcome {}

    private OpenVpnStart() {}

    /**
     * Starts OpenVPN on {@code relay} with the keys {@code keys} reads from the data directory ({@link
     * OpenVpnPki#loadOrCreate} on a server, {@link OpenVpnPki#loadCopied} on a relay).
     */
    static Outcome start(ServerConfig config, Relay relay, Function<Path, OpenVpnPki> keys) {
        if (config.openvpn() == OpenVpnMode.OFF) {
            log.info("OpenVPN is off (--openvpn off)");
            return new Off("it runs with --openvpn off");
        }
        OpenVpnPrerequisites.Probe probe = OpenVpnPrerequisites.probe();
        if (probe instanceof OpenVpnPrerequisites.Probe.Missing missing) {
            log.info("OpenVPN is off: {} (--openvpn auto)", failUnlessAuto(config, missing.reason()));
            return new Off(missing.reason());
        }
        if (config.openvpnPort() == 0) {
            log.info("OpenVPN is off: --openvpn-port is 0, and OpenVPN needs a port it is told");
            return new Off("its --openvpn-port is 0");
        }
        OpenVpnPrerequisites.Tools tools = ((OpenVpnPrerequisites.Probe.Ready) probe).tools();
        OpenVpnPki pki;
        try {
            pki = keys.apply(config.dataDir());
        } catch (IllegalStateException | UncheckedIOException e) {
            // A warning: files missing or unusable are an operator's to fix, unlike a host without OpenVPN.
            log.warn("OpenVPN is off: {} (--openvpn auto)", failUnlessAuto(config, e.getMessage()));
            return new Off("its OpenVPN keys cannot be used (see its log)");
        }
        try {
            relay.startOpenVpn(new OpenVpnSettings(
                    config.dataDir(),
                    pki,
                    tools,
                    config.bind(),
                    config.openvpnPort(),
                    config.openvpnProto(),
                    config.openvpnNetwork(),
                    START_TIMEOUT));
        } catch (RuntimeException e) {
            if (config.openvpn() == OpenVpnMode.ON) {
                throw e;
            }
            log.warn(
                    "OpenVPN is off: it did not start: {} (--openvpn auto; with --openvpn on this stops it)",
                    e.getMessage());
            return new Off("it did not start on this server (see the server's log)");
        }
        // Nodes whose fingerprints differ serve different profiles: what to compare when a node is missing from them.
        log.info("OpenVPN serves the profiles of keys {}", pki.profileFingerprint());
        return new Running(
                pki, new OpenVpnRemote(config.advertisedHost(), config.openvpnPort(), config.openvpnProto()));
    }

    /**
     * With {@code --openvpn on}, fails now unless {@code keys} can be read: before the node joins the farm and devices
     * link to it, which a failed start a moment later would drop again.
     */
    static void requireKeysWhenOn(ServerConfig config, Function<Path, OpenVpnPki> keys) {
        if (config.openvpn() != OpenVpnMode.ON) {
            return;
        }
        try {
            keys.apply(config.dataDir());
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new IllegalStateException("--openvpn on, but " + e.getMessage(), e);
        }
    }

    /** With {@code --openvpn on}, the start fails for {@code why}; with {@code auto}, returns it, to log. */
    private static String failUnlessAuto(ServerConfig config, String why) {
        if (config.openvpn() == OpenVpnMode.ON) {
            throw new IllegalStateException("--openvpn on, but " + why);
        }
        return why;
    }
}
