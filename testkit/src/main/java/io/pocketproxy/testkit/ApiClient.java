package io.pocketproxy.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A real HTTP client for the REST API, as a script would use it: JSON in, JSON out, a bearer token once
 * signed in. Never throws on an error status; tests assert on {@link Response}.
 */
public final class ApiClient {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final HttpClient http;
    private final URI base;
    private final String token;

    private ApiClient(HttpClient http, URI base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    public static ApiClient anonymous(String baseUrl) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return new ApiClient(http, URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/"), null);
    }

    /** Signs in with {@code POST /api/auth/login}; fails the test if that does not answer 200. */
    public ApiClient login(String email, String password) {
        Response response = post("/api/auth/login", Map.of("email", email, "password", password));
        if (response.status() != 200) {
            throw new AssertionError("login of " + email + " answered " + response.status() + ": " + response.body());
        }
        return withToken(response.json().get("token").asText());
    }

    public ApiClient withToken(String newToken) {
        return new ApiClient(http, base, newToken);
    }

    public String token() {
        return token;
    }

    public Response get(String path) {
        return send("GET", path, null);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body);
    }

    public Response patch(String path, Object body) {
        return send("PATCH", path, body);
    }

    public Response put(String path, Object body) {
        return send("PUT", path, body);
    }

    public Response delete(String path) {
        return send("DELETE", path, null);
    }

    /** Sends {@code body} as it is: for malformed JSON and other bad input. */
    public Response sendRaw(String method, String path, String body) {
        HttpRequest.Builder request = request(path).header("Content-Type", "application/json");
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return execute(request.build());
    }

    public Response send(String method, String path, Object body) {
        try {
            String json = body == null ? null : (body instanceof String text ? text : MAPPER.writeValueAsString(body));
            return sendRaw(method, path, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        base.resolve(path.startsWith("/") ? path.substring(1) : path))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    private Response execute(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An answer: status, raw body, and the body as JSON when it is JSON. */
    public record Response(int status, String body, HttpResponse<String> raw) {

        public JsonNode json() {
            if (body == null || body.isBlank()) {
                return MissingNode.getInstance();
            }
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
