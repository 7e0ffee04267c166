package io.pocketproxy.link;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a device could not open a customer's connection, in RFC 9209's vocabulary. The agent sends one in a
 * {@code proxy-status} header with an error status; the relay turns it into the customer's protocol.
 */
public enum ProxyStatusError {
    DNS_ERROR(502),
    CONNECTION_REFUSED(502),
    CONNECTION_TIMEOUT(504),
    DESTINATION_IP_PROHIBITED(502),
    DESTINATION_UNAVAILABLE(502),
    PROXY_INTERNAL_ERROR(502);

    private static final Pattern ERROR_PARAMETER = Pattern.compile("(?:^|;)\\s*error\\s*=\\s*\"?([a-z_]+)\"?");

    private final int httpStatus;

    ProxyStatusError(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The RFC 9209 error type, e.g. {@code dns_error}. */
    public String type() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The HTTP status a proxy answers with for this error. */
    public int httpStatus() {
        return httpStatus;
    }

    /** A {@code Proxy-Status} header value naming {@code proxyName} and this error. */
    public String headerValue(String proxyName) {
        return proxyName + "; error=" + type();
    }

    /** The error in a {@code Proxy-Status} value, if it names one we know. */
    public static Optional<ProxyStatusError> parse(CharSequence headerValue) {
        if (headerValue == null) {
            return Optional.empty();
        }
        Matcher matcher = ERROR_PARAMETER.matcher(headerValue);
        while (matcher.find()) {
            for (ProxyStatusError error : values()) {
                if (error.type().equals(matcher.group(1))) {
                    return Optional.of(error);
                }
            }
        }
        return Optional.empty();
    }
}
