package io.pocketproxy.relay.link;

import io.pocketproxy.link.ProxyStatusError;
import java.util.Optional;

/** A stream the device did not open, and why. An expected outcome, so it carries no stack trace. */
public final class DeviceRefusal extends RuntimeException {

    public enum Reason {
        /** The link is down or went down while opening. */
        OFFLINE,
        /** The device did not answer in time. */
        TIMEOUT,
        /** The device answered with an error. */
        REFUSED
    }

    private final Reason reason;
    private final Optional<ProxyStatusError> error;
    private final Optional<String> relayRefusal;

    DeviceRefusal(Reason reason, Optional<ProxyStatusError> error) {
        this(reason, error, Optional.empty());
    }

    DeviceRefusal(Reason reason, Optional<ProxyStatusError> error, Optional<String> relayRefusal) {
        super(
                reason
                        + error.map(e -> ": " + e.type()).orElse("")
                        + relayRefusal.map(r -> " (" + r + ")").orElse(""),
                null,
                false,
                false);
        this.reason = reason;
        this.error = error;
        this.relayRefusal = relayRefusal;
    }

    public Reason reason() {
        return reason;
    }

    /** The device's RFC 9209 error, when it gave one. */
    public Optional<ProxyStatusError> error() {
        return error;
    }

    /**
     * Through a peer relay ({@link PeerProtocol}): the reason that relay gave for not opening the tunnel, when it was
     * its own (a limit, a stream cap, the device gone), not the device's.
     */
    public Optional<String> relayRefusal() {
        return relayRefusal;
    }
}
