package io.pocketproxy.server.connections;

import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.relay.directory.ConnectionType;

/** The host and ports customers are given, one per connection type. */
public record ProxyEndpoints(String host, int httpPort, int socksPort, int openvpnPort) {

    public String endpointOf(ConnectionType type) {
        int port = switch (type) {
            case HTTP -> httpPort;
            case SOCKS5 -> socksPort;
            case OPENVPN -> openvpnPort;
        };
        return HostAndPort.format(host, port);
    }

    /** A proxy URL with the credentials in it, as curl's {@code -x} takes it; null for OpenVPN. */
    public String proxyUrlOf(ConnectionType type, String username, String password) {
        return switch (type) {
            case HTTP -> "http://" + username + ":" + password + "@" + endpointOf(type);
            case SOCKS5 -> "socks5h://" + username + ":" + password + "@" + endpointOf(type);
            case OPENVPN -> null;
        };
    }
}
