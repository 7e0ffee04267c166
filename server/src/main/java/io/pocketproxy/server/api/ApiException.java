package io.pocketproxy.server.api;

/**
 * A request that cannot be served, with the status and the stable {@code code} clients branch on. The
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

    /** Well-formed but unacceptable input (a negative limit, an unknown device). */
    public static ApiException invalid(String code, String message) {
        return new ApiException(422, code, message);
    }

    /** Also the answer for another operator's rows: they must not learn that the row exists. */
    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " not found");
    }

    public static ApiException conflict(String code, String message) {
        return new ApiException(409, code, message);
    }

    public static ApiException unauthenticated(String message) {
        return new ApiException(401, "unauthenticated", message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message);
    }
}
