package io.pocketproxy.server.errors;

/**
 * Why a service refused an operator's request, in the domain's words: what is wrong and a stable
 * {@code code} clients branch on. The services know nothing of HTTP; the API maps each kind to its
 * status in one place. The message is shown to users as it is: it names what was wrong and what was
 * expected, and never echoes a secret.
 */
public abstract sealed class DomainException extends RuntimeException
        permits NotFoundException, ConflictException, InvalidInputException, BusyException {

    private final String code;

    DomainException(String code, String message) {
        super(message, null, false, false); // an expected refusal: no stack trace to fill
        this.code = code;
    }

    public String code() {
        return code;
    }
}
