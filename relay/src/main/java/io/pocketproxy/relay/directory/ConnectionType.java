package io.pocketproxy.relay.directory;

/**
 * What a connection is sold as, and so the one customer protocol it may be used with: an HTTP connection works on
 * the HTTP proxy port only, a SOCKS5 connection on the SOCKS5 port only, an OPENVPN connection through OpenVPN
 * only.
 */
public enum ConnectionType {
    HTTP("HTTP"),
    SOCKS5("SOCKS5"),
    OPENVPN("OpenVPN");

    private final String displayName;

    ConnectionType(String displayName) {
        this.displayName = displayName;
    }

    /** As a customer reads it in a refusal. */
    public String displayName() {
        return displayName;
    }
}
