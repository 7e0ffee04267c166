package io.pocketproxy.server.errors;

/** The request is sound but the current state forbids it (an email taken, a device still in use). */
public final class ConflictException extends DomainException {

    public ConflictException(String code, String message) {
        super(code, message);
    }
}
