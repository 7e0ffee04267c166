package io.pocketproxy.server.api;

/**
 * A request the API itself refuses, before any service is asked (an unreadable body, no session, too many
 * sign-ins), with the status and the stable {@code code} clients branch on. The services' refusals are
 * {@link io.pocketproxy.server.errors.DomainException}s, mapped to statuses in {@link ApiErrors}. The
 * message is shown to users as it is: it names what was wrong and what was expected, and never echoes a
 * secret.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public static ApiException badRequest(String code, String message) {
        return new ApiException(400, code, message);
    }

    public static ApiException unauthenticated(String message) {
        return new ApiException(401, "unauthenticated", message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }
}
