package io.pocketproxy.relay.tunnel;

import io.pocketproxy.link.ProxyStatusError;
import io.pocketproxy.relay.link.DeviceRefusal;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * Why a customer's tunnel was not opened: how {@link Tunnels#open} fails its future. Each customer protocol
 * turns it into its own answer (an HTTP status with {@code Proxy-Status}, a SOCKS5 reply code). An expected
 * outcome, so it carries no stack trace.
 */
public final class Refusal extends RuntimeException {

    public enum Reason {
        /** The connection is sold for another protocol than the one its customer speaks here. */
        CONNECTION_TYPE_MISMATCH("connection_type_mismatch"),
        CONNECTION_DISABLED("connection_disabled"),
        BANDWIDTH_LIMIT_REACHED("bandwidth_limit_reached"),
        TOO_MANY_STREAMS("too_many_streams"),
        DEVICE_OFFLINE("device_offline"),
        DEVICE_ERROR("device_error"),
        /** Our own failure (storage unreachable, a bug): not the customer's fault, worth another try later. */
        PROXY_INTERNAL_ERROR("proxy_internal_error");

        private final String type;

        Reason(String type) {
            this.type = type;
        }

        /** The {@code error=} value of our {@code Proxy-Status}. */
        public String type() {
            return type;
        }

        /** The reason whose {@link #type()} this is, if any. */
        public static Optional<Reason> ofType(String type) {
            for (Reason reason : values()) {
                if (reason.type.equals(type)) {
                    return Optional.of(reason);
                }
            }
            return Optional.empty();
        }
    }

    private final Reason reason;
    private final Optional<ProxyStatusError> deviceError;

    private Refusal(Reason reason, Optional<ProxyStatusError> deviceError) {
        super(deviceError.map(ProxyStatusError::type).orElse(reason.type()), null, false, false);
        this.reason = reason;
        this.deviceError = deviceError;
    }

    public static Refusal of(Reason reason) {
        return new Refusal(reason, Optional.empty());
    }

    /** The device could not open the stream: its RFC 9209 error, when it gave one. */
    public static Refusal byDevice(Optional<ProxyStatusError> error) {
        return new Refusal(Reason.DEVICE_ERROR, error);
    }

    /** What a failed open means for the customer: a refusal as it is, a device's answer, or our own failure. */
    public static Refusal from(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof Refusal refusal) {
            return refusal;
        }
        if (cause instanceof DeviceRefusal refusal) {
            // Through a peer relay, the refusal may be that relay's own, and the customer hears it as if it were ours.
            Optional<Reason> relays = refusal.relayRefusal().flatMap(Reason::ofType);
            if (relays.isPresent() && relays.get() != Reason.DEVICE_ERROR) {
                return of(relays.get());
            }
            return switch (refusal.reason()) {
                case OFFLINE -> of(Reason.DEVICE_OFFLINE);
                case TIMEOUT, REFUSED -> byDevice(refusal.error());
            };
        }
        return of(Reason.PROXY_INTERNAL_ERROR);
    }

    public Reason reason() {
        return reason;
    }

    /** The device's RFC 9209 error, for {@link Reason#DEVICE_ERROR}. */
    public Optional<ProxyStatusError> deviceError() {
        return deviceError;
    }

    /** The {@code Proxy-Status} error type to report: the device's own when it gave one. */
    public String proxyStatusType() {
        return getMessage();
    }
}
