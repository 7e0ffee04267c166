package io.pocketproxy.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.testkit.ApiClient;
import java.util.HashMap;
import java.util.Map;

/** The API calls most tests start from, each failing the test if it does not succeed. */
public final class Fixtures {

    private Fixtures() {}

    public static JsonNode createDevice(ApiClient api, String name) {
        return expect(201, api.post("/api/devices", Map.of("name", name)));
    }

    public static JsonNode createConnection(ApiClient api, String deviceId, String type, Long bandwidthLimit) {
        Map<String, Object> body = new HashMap<>();
        body.put("device_id", deviceId);
        body.put("type", type);
        if (bandwidthLimit != null) {
            body.put("bandwidth_limit", bandwidthLimit);
        }
        return expect(201, api.post("/api/connections", body));
    }

    public static JsonNode expect(int status, ApiClient.Response response) {
        if (response.status() != status) {
            throw new AssertionError("expected " + status + " but got " + response);
        }
        return response.json();
    }
}
