package io.pocketproxy.server.api;

import io.javalin.http.Context;

/**
 * Refuses a request body not declared JSON, before anything reads it. A browser sends {@code text/plain}, form and
 * multipart bodies from any page without asking first; a JSON body only after a CORS preflight this server never
 * grants. A request without a body (a bare {@code POST}) needs no type.
 */
final class JsonContentType {

    private JsonContentType() {}

    static void check(Context ctx) {
        if (!hasBody(ctx)) {
            return;
        }
        String contentType = ctx.header("Content-Type");
        String mediaType = contentType == null ? null : contentType.split(";", 2)[0].strip();
        if (mediaType != null && mediaType.equalsIgnoreCase("application/json")) {
            return;
        }
        throw new ApiException(
                415,
                "unsupported_media_type",
                (mediaType == null ? "request body has no Content-Type" : "request body is " + mediaType)
                        + " (expected: Content-Type: application/json)");
    }

    private static boolean hasBody(Context ctx) {
        return ctx.contentLength() > 0 || ctx.header("Transfer-Encoding") != null;
    }
}
