package io.pocketproxy.agent;

import java.util.Optional;

/** A CONNECT target, {@code host:port} or {@code [v6]:port}. */
record HostAndPort(String host, int port) {

    static Optional<HostAndPort> parse(String authority) {
        if (authority == null) {
            return Optional.empty();
        }
        int colon = authority.lastIndexOf(':');
        if (colon <= 0 || colon == authority.length() - 1) {
            return Optional.empty();
        }
        String host = authority.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            return Optional.empty(); // an IPv6 literal must be bracketed
        }
        try {
            int port = Integer.parseInt(authority.substring(colon + 1));
            if (port < 1 || port > 65535 || host.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new HostAndPort(host, port));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
