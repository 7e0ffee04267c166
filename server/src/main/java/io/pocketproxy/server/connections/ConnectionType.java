package io.pocketproxy.server.connections;

/** How a customer speaks to the relay. */
public enum ConnectionType {
    HTTP,
    SOCKS5,
    OPENVPN
}
