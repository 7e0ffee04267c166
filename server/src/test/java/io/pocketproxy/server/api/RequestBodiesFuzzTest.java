package io.pocketproxy.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the REST API's request bodies, for every body type the API reads: a body is read into its record or
 * refused with a 400 and one of the documented codes, never another error (a 500); and the refusal never
 * repeats a value from the body, since a misplaced password must not come back in an error.
 */
class RequestBodiesFuzzTest {

    private static final List<Class<?>> BODIES = List.of(
            AuthApi.LoginRequest.class,
            UsersApi.CreateUserRequest.class,
            DevicesApi.CreateDeviceRequest.class,
            ConnectionsApi.CreateConnectionRequest.class,
            ConnectionsApi.UpdateConnectionRequest.class,
            WebhooksApi.WebhookUrlRequest.class);
    private static final RequestBodies bodies = new RequestBodies(Json.mapper());
    /**
     * What refusals say of their own: a value that is part of it (say, "expected") proves nothing when it shows.
     * Field names and enum constants are the API's own words, fine to repeat.
     */
    private static final String OWN_WORDS = String.join(
            " ",
            "request body is empty not a JSON object unknown field expected: no fields contains a control character",
            "text without control characters such as NUL, tabs or line breaks invalid value expected one of",
            "a whole number true or false a string an id (UUID) a number is out of range at most",
            Long.toString(Long.MAX_VALUE),
            "appears more than once each field once valid JSON at line column could not be read",
            "email password name role device_id type bandwidth_limit active webhook_url",
            java.util.Arrays.toString(io.pocketproxy.server.users.Role.values()),
            java.util.Arrays.toString(io.pocketproxy.relay.directory.ConnectionType.values()));
    /** Reads any JSON, to find the body's values; nothing the API uses. */
    private static final ObjectMapper lenient = new ObjectMapper();

    @FuzzTest
    void readsABodyOrRefusesItWith400WithoutRepeatingItsValues(FuzzedDataProvider data) {
        Class<?> type = data.pickValue(BODIES);
        byte[] body = data.consumeRemainingAsBytes();
        Object read;
        try {
            read = bodies.read(body, type);
        } catch (ApiException refused) {
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.code()).isIn("invalid_json", "unknown_field", "invalid_field");
            for (String value : textValues(body)) {
                assertThat(refused.getMessage())
                        .as("the refusal of %s", type.getSimpleName())
                        .doesNotContain(value);
            }
            return;
        }
        assertThat(read).isInstanceOf(type);
    }

    /** The body's string values of 4 characters or more that are not also field names, if it is JSON at all. */
    private static List<String> textValues(byte[] body) {
        List<String> values = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try {
            collect(lenient.readTree(body), values, names);
        } catch (Exception notJson) {
            return List.of();
        }
        values.removeIf(value -> value.length() < 4
                || OWN_WORDS.contains(value)
                || names.stream().anyMatch(name -> name.contains(value)));
        return values;
    }

    private static void collect(JsonNode node, List<String> values, List<String> names) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            values.add(node.textValue());
        }
        node.fieldNames().forEachRemaining(names::add);
        node.elements().forEachRemaining(child -> collect(child, values, names));
    }
}
