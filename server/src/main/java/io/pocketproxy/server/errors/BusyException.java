package io.pocketproxy.server.errors;

import java.time.Duration;

/** The request is sound but too many like it are under way; it may succeed if made again after {@link #retryAfter}. */
public final class BusyException extends DomainException {

    private final Duration retryAfter;

    public BusyException(String code, String message, Duration retryAfter) {
        super(code, message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
