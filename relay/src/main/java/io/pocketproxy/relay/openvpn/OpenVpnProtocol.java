package io.pocketproxy.relay.openvpn;

import java.util.Locale;

/** {@code --openvpn-proto}: how clients reach the endpoint. UDP is OpenVPN's own choice; TCP gets through firewalls. */
public enum OpenVpnProtocol {
    UDP("udp", "udp"),
    TCP("tcp-server", "tcp-client");

    private final String server;
    private final String client;

    OpenVpnProtocol(String server, String client) {
        this.server = server;
        this.client = client;
    }

    public static OpenVpnProtocol parse(String text) {
        try {
            return valueOf(text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("openvpn-proto: " + text + " (expected: udp or tcp)");
        }
    }

    /** The {@code proto} line of the server's configuration. */
    public String serverProto() {
        return server;
    }

    /** The {@code proto} line of a client's profile. */
    public String clientProto() {
        return client;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
