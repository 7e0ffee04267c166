package io.pocketproxy.link;

import io.netty.util.AsciiString;

/**
 * The names both ends of a device link agree on. The agent opens TCP+TLS to the relay and asks
 * {@code GET /v1/link} with {@code Upgrade: pocketproxy-link/1} and its bearer token; after
 * {@code 101 Switching Protocols} the socket speaks HTTP/2 with the relay as client and the agent as
 * server. The relay then opens streams: {@code CONNECT host:port} for customer traffic,
 * {@code GET /v1/status} for heartbeats, {@code POST /v1/rotate} for a new IP, and
 * {@code GET /v1/resolve?name=NAME} to resolve a name with the device's DNS ({@link NameLookup}; an agent that
 * predates it answers 404, as it does for every path it does not know). Which of these newer requests each end may
 * use is agreed at link start ({@link LinkFeature}).
 *
 * <p>Outside links, the link port also answers {@code GET /v1/address} (over the same TLS) with the address the
 * caller's connection comes from, as plain text: how an agent measures its egress IP from its egress path.
 */
public final class LinkProtocol {

    public static final String LINK_PATH = "/v1/link";
    public static final String UPGRADE_TOKEN = "pocketproxy-link/1";
    public static final String STATUS_PATH = "/v1/status";
    public static final String ROTATE_PATH = "/v1/rotate";
    public static final String RESOLVE_PATH = "/v1/resolve";
    public static final String ADDRESS_PATH = "/v1/address";

    /** The addresses a name resolved to on the device: the answer to {@link #RESOLVE_PATH}. */
    public static final AsciiString ADDRESSES = AsciiString.cached("pp-addresses");

    /** RFC 9209 {@code Proxy-Status}: why a CONNECT failed on the device. */
    public static final AsciiString PROXY_STATUS = AsciiString.cached("proxy-status");

    /** The name the agent gives itself in {@code Proxy-Status}. */
    public static final String AGENT_PROXY_NAME = "pocketproxy-agent";

    private LinkProtocol() {}
}
