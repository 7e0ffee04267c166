package io.pocketproxy.link;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything an agent needs to reach its relay and trust it, in one copy-pasteable line:
 * {@code pocketproxy://<device token>@<relay host>:<link port>?fp=<relay certificate SHA-256, base64url>}. A farm of
 * relays names each, comma-separated ({@code @relay-a:8443,relay-b:8443}): the agent links to the first it reaches
 * and moves to the next when its relay dies. They share one certificate, so one fingerprint.
 *
 * <p>The operator sees it once, when the device is created; the agent pins the fingerprint instead of
 * trusting a CA, because relays run with self-signed certificates.
 */
public record PairingString(List<HostAndPort> relays, String deviceToken, String relayFingerprint) {

    public static final String SCHEME = "pocketproxy";

    private static final String FORM = SCHEME + "://TOKEN@HOST:PORT[,HOST:PORT...]?fp=FINGERPRINT";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,128}");
    private static final Pattern FINGERPRINT = Pattern.compile("[A-Za-z0-9_-]{43}");

    public PairingString {
        Objects.requireNonNull(relays, "relays");
        if (relays.isEmpty()) {
            throw new IllegalArgumentException("relays: none (expected: at least one HOST:PORT)");
        }
        relays = Collections.unmodifiableList(new ArrayList<>(relays));
        if (deviceToken == null || !TOKEN.matcher(deviceToken).matches()) {
            throw new IllegalArgumentException("deviceToken: malformed (expected: 16-128 base64url characters)");
        }
        if (relayFingerprint == null || !FINGERPRINT.matcher(relayFingerprint).matches()) {
            throw new IllegalArgumentException(
                    "relayFingerprint: " + relayFingerprint + " (expected: 43 base64url characters of a SHA-256)");
        }
    }

    /** A pairing string naming one relay. */
    public PairingString(String relayHost, int relayPort, String deviceToken, String relayFingerprint) {
        this(Collections.singletonList(relay(relayHost, relayPort)), deviceToken, relayFingerprint);
    }

    /** A relay's address, refused with a message that says it is the relay's. */
    public static HostAndPort relay(String host, int port) {
        Objects.requireNonNull(host, "relayHost");
        try {
            return new HostAndPort(host, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("relay " + e.getMessage());
        }
    }

    /** Parses a pairing string; the message of the exception says which part is wrong, never the token. */
    public static PairingString parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.trim();
        String prefix = SCHEME + "://";
        if (!trimmed.startsWith(prefix)) {
            int colon = trimmed.indexOf("://");
            String scheme = colon < 0 ? "none" : trimmed.substring(0, Math.min(colon, 20));
            throw new IllegalArgumentException("pairing string scheme: " + scheme + " (expected: " + FORM + ")");
        }
        String rest = trimmed.substring(prefix.length());
        int query = rest.indexOf('?');
        String authority = query < 0 ? rest : rest.substring(0, query);
        int at = authority.lastIndexOf('@');
        if (at <= 0 || at == authority.length() - 1) {
            throw new IllegalArgumentException("pairing string lacks token, host or port (expected: " + FORM + ")");
        }
        List<HostAndPort> relays = new ArrayList<>();
        for (String relay : authority.substring(at + 1).split(",", -1)) {
            try {
                relays.add(HostAndPort.parse(relay.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("pairing string relay " + e.getMessage());
            }
        }
        String fingerprint = null;
        if (query >= 0) {
            for (String parameter : rest.substring(query + 1).split("&")) {
                if (parameter.startsWith("fp=")) {
                    fingerprint = parameter.substring(3);
                }
            }
        }
        if (fingerprint == null) {
            throw new IllegalArgumentException("pairing string lacks the relay fingerprint (expected: ?fp=...)");
        }
        return new PairingString(relays, authority.substring(0, at), fingerprint);
    }

    /** The first relay's host. */
    public String relayHost() {
        return relays.get(0).host();
    }

    /** The first relay's port. */
    public int relayPort() {
        return relays.get(0).port();
    }

    /** The first relay's address as {@code host:port}, with brackets around an IPv6 literal. */
    public String relayAddress() {
        return relays.get(0).toString();
    }

    @Override
    public String toString() {
        StringBuilder text =
                new StringBuilder(SCHEME).append("://").append(deviceToken).append('@');
        for (int i = 0; i < relays.size(); i++) {
            text.append(i == 0 ? "" : ",").append(relays.get(i));
        }
        return text.append("?fp=").append(relayFingerprint).toString();
    }
}
