package io.pocketproxy.link.status;

import io.netty.handler.codec.http2.Http2Headers;

/**
 * A device's heartbeat: the answer to {@code GET /v1/status}, carried in response headers. Everything but
 * the agent version is optional: a Linux box has no battery, and the egress IP is unknown until the device
 * has looked it up.
 */
public record StatusReport(String agentVersion, String egressIp, Integer battery, Integer signal, String networkType) {

    static final String AGENT_VERSION = "pp-agent-version";
    static final String EGRESS_IP = "pp-egress-ip";
    static final String BATTERY = "pp-battery";
    static final String SIGNAL = "pp-signal";
    static final String NETWORK_TYPE = "pp-network-type";

    public StatusReport {
        if (battery != null && (battery < 0 || battery > 100)) {
            battery = null; // a platform reporting nonsense must not fail the heartbeat
        }
    }

    public void writeTo(Http2Headers headers) {
        put(headers, AGENT_VERSION, agentVersion);
        put(headers, EGRESS_IP, egressIp);
        put(headers, BATTERY, battery);
        put(headers, SIGNAL, signal);
        put(headers, NETWORK_TYPE, networkType);
    }

    public static StatusReport readFrom(Http2Headers headers) {
        return new StatusReport(
                text(headers, AGENT_VERSION, 64),
                text(headers, EGRESS_IP, 64),
                number(headers, BATTERY),
                number(headers, SIGNAL),
                text(headers, NETWORK_TYPE, 32));
    }

    private static void put(Http2Headers headers, String name, Object value) {
        if (value != null) {
            headers.set(name, value.toString());
        }
    }

    private static String text(Http2Headers headers, String name, int maxLength) {
        CharSequence value = headers.get(name);
        if (value == null || value.length() == 0) {
            return null;
        }
        String text = value.toString();
        return text.length() > maxLength ? text.substring(0, maxLength) : text;
    }

    private static Integer number(Http2Headers headers, String name) {
        CharSequence value = headers.get(name);
        if (value == null) {
            return null;
        }
        try {
            return Integer.valueOf(value.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
