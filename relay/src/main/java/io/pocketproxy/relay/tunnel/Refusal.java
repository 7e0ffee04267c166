package io.pocketproxy.relay.tunnel;

import io.pocketproxy.link.ProxyStatusError;
import java.util.Optional;

/**
 * Why a customer's tunnel was not opened. Each customer protocol turns it into its own answer (an HTTP
 * status with {@code Proxy-Status}, a SOCKS5 reply code).
 *
 * @param deviceError the device's RFC 9209 error, for {@link Reason#DEVICE_ERROR}
 */
public record Refusal(Reason reason, Optional<ProxyStatusError> deviceError) {

    public enum Reason {
        CONNECTION_DISABLED("connection_disabled"),
        BANDWIDTH_LIMIT_REACHED("bandwidth_limit_reached"),
        TOO_MANY_STREAMS("too_many_streams"),
        DEVICE_OFFLINE("device_offline"),
        DEVICE_ERROR("device_error");

        private final String type;

        Reason(String type) {
            this.type = type;
        }

        /** The {@code error=} value of our {@code Proxy-Status}. */
        public String type() {
            return type;
        }
    }

    public static Refusal of(Reason reason) {
        return new Refusal(reason, Optional.empty());
    }

    /** The {@code Proxy-Status} error type to report: the device's own when it gave one. */
    public String proxyStatusType() {
        return deviceError.map(ProxyStatusError::type).orElse(reason.type());
    }

    @Override
    public String toString() {
        return proxyStatusType();
    }
}
