package io.pocketproxy.link.rotation;

import io.netty.handler.codec.http2.Http2Headers;
import java.util.UUID;

/**
 * How a rotation ended on the device: the egress IP measured after it, or why it failed. The agent sends it as the
 * answer to {@code POST /v1/rotate} and, for the newest rotation it ran, in every heartbeat after, so a rotation
 * whose link dropped on the way (airplane mode does that) still reaches the relay once the device is back.
 *
 * @param rotationId the id the relay gave the rotation
 * @param newIp the egress IP after the rotation ({@code null} when it failed)
 * @param error why it failed, in a sentence ({@code null} when it did not)
 */
public record RotationReport(UUID rotationId, String newIp, String error) {

    /** The request header naming the rotation, and the answer's and heartbeat's header repeating it. */
    public static final String ROTATION_ID = "pp-rotation-id";

    static final String NEW_IP = "pp-rotation-new-ip";
    static final String ERROR = "pp-rotation-error";
    static final int MAX_ERROR = 300;

    public RotationReport {
        if ((newIp == null) == (error == null)) {
            throw new IllegalArgumentException("a rotation ends with a new IP or an error, not both or neither");
        }
        if (error != null) {
            // A header carries neither control characters nor a novel.
            error = error.replaceAll("\\p{Cntrl}", " ").trim();
            error = error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error;
        }
    }

    public static RotationReport done(UUID rotationId, String newIp) {
        return new RotationReport(rotationId, newIp, null);
    }

    public static RotationReport failed(UUID rotationId, String error) {
        return new RotationReport(rotationId, null, error);
    }

    public boolean succeeded() {
        return newIp != null;
    }

    public void writeTo(Http2Headers headers) {
        headers.set(ROTATION_ID, rotationId.toString());
        if (newIp != null) {
            headers.set(NEW_IP, newIp);
        } else {
            headers.set(ERROR, error);
        }
    }

    /** The report in these headers, or {@code null} when they carry none (or a malformed one). */
    public static RotationReport readFrom(Http2Headers headers) {
        UUID id = rotationId(headers);
        CharSequence newIp = headers.get(NEW_IP);
        CharSequence error = headers.get(ERROR);
        if (id == null || (newIp == null) == (error == null)) {
            return null;
        }
        if (newIp != null) {
            String ip = newIp.toString().trim();
            return ip.isEmpty() || ip.length() > 64 ? null : done(id, ip);
        }
        return failed(id, error.toString());
    }

    /** The rotation id a request or answer names, or {@code null}. */
    public static UUID rotationId(Http2Headers headers) {
        CharSequence id = headers.get(ROTATION_ID);
        if (id == null) {
            return null;
        }
        try {
            return UUID.fromString(id.toString().trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
