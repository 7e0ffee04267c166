package io.pocketproxy.link.status;

import io.netty.handler.codec.http2.Http2Headers;
import io.pocketproxy.link.rotation.RotationReport;

/**
 * A device's heartbeat: the answer to {@code GET /v1/status}, carried in response headers. Everything but the agent
 * version is optional: the egress IP is unknown until the device has measured it, {@link DeviceHealth} holds only
 * what the device can tell (an agent of the first protocol sends none of it), and {@code lastRotation} is how the
 * newest rotation it ran ended, if any.
 */
public record StatusReport(String agentVersion, String egressIp, DeviceHealth health, RotationReport lastRotation) {

    static final String AGENT_VERSION = "pp-agent-version";
    static final String EGRESS_IP = "pp-egress-ip";
    static final String BATTERY = "pp-battery";
    static final String CHARGING = "pp-charging";
    static final String SIGNAL = "pp-signal";
    static final String NETWORK_TYPE = "pp-network-type";
    static final String CARRIER = "pp-carrier";

    public StatusReport {
        health = health == null ? DeviceHealth.UNKNOWN : health;
    }

    /** A report of a device that has not rotated since it started. */
    public StatusReport(String agentVersion, String egressIp, DeviceHealth health) {
        this(agentVersion, egressIp, health, null);
    }

    public void writeTo(Http2Headers headers) {
        put(headers, AGENT_VERSION, agentVersion);
        put(headers, EGRESS_IP, egressIp);
        put(headers, BATTERY, health.batteryPercent());
        put(headers, CHARGING, health.charging());
        put(headers, SIGNAL, health.signalDbm());
        put(headers, NETWORK_TYPE, health.networkType());
        put(headers, CARRIER, health.carrier());
        if (lastRotation != null) {
            lastRotation.writeTo(headers);
        }
    }

    public static StatusReport readFrom(Http2Headers headers) {
        return new StatusReport(
                text(headers, AGENT_VERSION, 64),
                text(headers, EGRESS_IP, 64),
                new DeviceHealth(
                        number(headers, BATTERY),
                        flag(headers, CHARGING),
                        number(headers, SIGNAL),
                        text(headers, NETWORK_TYPE, DeviceHealth.NETWORK_TYPE_LENGTH),
                        text(headers, CARRIER, DeviceHealth.CARRIER_LENGTH)),
                RotationReport.readFrom(headers));
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

    private static Boolean flag(Http2Headers headers, String name) {
        CharSequence value = headers.get(name);
        if (value == null) {
            return null;
        }
        String text = value.toString().trim();
        if (text.equals("true")) {
            return Boolean.TRUE;
        }
        return text.equals("false") ? Boolean.FALSE : null;
    }
}
