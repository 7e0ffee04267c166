package io.pocketproxy.relay.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** The username and password of a {@code Proxy-Authorization: Basic} header. Never logged. */
record ProxyCredentials(String username, String password) {

    private static final String BASIC = "Basic ";

    static Optional<ProxyCredentials> parse(String header) {
        if (header == null || !header.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            return Optional.empty();
        }
        try {
            String decoded = new String(
                    Base64.getDecoder().decode(header.substring(BASIC.length()).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return Optional.empty();
            }
            return Optional.of(new ProxyCredentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "ProxyCredentials[username=" + username + ", password=****]";
    }
}
