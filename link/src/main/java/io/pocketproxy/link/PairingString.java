package io.pocketproxy.link;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything an agent needs to reach its relay and trust it, in one copy-pasteable line:
 * {@code pocketproxy://<device token>@<relay host>:<link port>?fp=<relay certificate SHA-256, base64url>}.
 *
 * <p>The operator sees it once, when the device is created; the agent pins the fingerprint instead of
 * trusting a CA, because relays run with self-signed certificates.
 */
public record PairingString(String relayHost, int relayPort, String deviceToken, String relayFingerprint) {

    public static final String SCHEME = "pocketproxy";

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{16,128}");
    private static final Pattern FINGERPRINT = Pattern.compile("[A-Za-z0-9_-]{43}");

    public PairingString {
        Objects.requireNonNull(relayHost, "relayHost");
        try {
            relayHost = new HostAndPort(relayHost, relayPort).host();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("relay " + e.getMessage());
        }
        if (deviceToken == null || !TOKEN.matcher(deviceToken).matches()) {
            throw new IllegalArgumentException("deviceToken: malformed (expected: 16-128 base64url characters)");
        }
        if (relayFingerprint == null || !FINGERPRINT.matcher(relayFingerprint).matches()) {
            throw new IllegalArgumentException(
                    "relayFingerprint: " + relayFingerprint + " (expected: 43 base64url characters of a SHA-256)");
        }
    }

    /** Parses a pairing string; the message of the exception says which part is wrong, never the token. */
    public static PairingString parse(String text) {
        Objects.requireNonNull(text, "text");
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "pairing string is not a URI (expected: " + SCHEME + "://TOKEN@HOST:PORT?fp=FINGERPRINT)");
        }
        if (!SCHEME.equals(uri.getScheme())) {
            throw new IllegalArgumentException(
                    "pairing string scheme: " + uri.getScheme() + " (expected: " + SCHEME + ")");
        }
        if (uri.getHost() == null || uri.getPort() < 0 || uri.getRawUserInfo() == null) {
            throw new IllegalArgumentException(
                    "pairing string lacks token, host or port (expected: " + SCHEME + "://TOKEN@HOST:PORT?fp=...)");
        }
        String fingerprint = null;
        if (uri.getRawQuery() != null) {
            for (String parameter : uri.getRawQuery().split("&")) {
                if (parameter.startsWith("fp=")) {
                    fingerprint = parameter.substring(3);
                }
            }
        }
        if (fingerprint == null) {
            throw new IllegalArgumentException("pairing string lacks the relay fingerprint (expected: ?fp=...)");
        }
        return new PairingString(uri.getHost(), uri.getPort(), uri.getRawUserInfo(), fingerprint);
    }

    /** The relay's address as {@code host:port}, with brackets around an IPv6 literal. */
    public String relayAddress() {
        return HostAndPort.format(relayHost, relayPort);
    }

    @Override
    public String toString() {
        return SCHEME + "://" + deviceToken + "@" + relayAddress() + "?fp=" + relayFingerprint;
    }
}
