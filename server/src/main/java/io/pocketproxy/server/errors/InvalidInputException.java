package io.pocketproxy.server.errors;

/**
 * Input the service cannot accept. {@link #unacceptable} is a well-formed value the domain refuses (a
 * negative limit, an unknown device); {@link #malformed} is a request that cannot be read as one at all
 * (nothing to change, a URL that is no URL).
 */
public final class InvalidInputException extends DomainException {

    private final boolean malformed;

    private InvalidInputException(boolean malformed, String code, String message) {
        super(code, message);
        this.malformed = malformed;
    }

    public static InvalidInputException unacceptable(String code, String message) {
        return new InvalidInputException(false, code, message);
    }

    public static InvalidInputException malformed(String code, String message) {
        return new InvalidInputException(true, code, message);
    }

    public boolean malformed() {
        return malformed;
    }
}
