package io.pocketproxy.server.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own answers (a request head it cannot parse, headers over its limit), which come before any route, in the
 * API's error shape instead of Jetty's HTML page. Jetty's message is not passed on: it may quote what the client
 * sent.
 */
final class JsonErrorHandler extends ErrorHandler {

    private final ObjectMapper mapper;
    private final int maxHeaderBytes;

    JsonErrorHandler(ObjectMapper mapper, int maxHeaderBytes) {
        this.mapper = mapper;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback)
            throws IOException {
        String error = switch (code) {
            case 400 -> "malformed HTTP request (expected: an HTTP/1.1 request line and well-formed headers)";
            case 414 -> "request URI too long (expected: at most " + maxHeaderBytes / 1024 + " KiB)";
            case 431 -> "request headers too large (expected: at most " + maxHeaderBytes / 1024 + " KiB in all)";
            default -> "the request could not be served (HTTP " + code + ")";
        };
        byte[] body = mapper.writeValueAsBytes(new ErrorBody(error, "http_" + code));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
