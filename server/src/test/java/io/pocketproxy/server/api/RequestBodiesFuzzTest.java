package io.pocketproxy.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
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
            BodyText text = BodyText.of(body);
            // The client's own field names may come back ("unknown field 'x'"); take them out before looking.
            String said = text.withoutNames(refused.getMessage());
            for (String value : text.values()) {
                assertThat(said).as("the refusal of %s", type.getSimpleName()).doesNotContain(value);
            }
            return;
        }
        assertThat(read).isInstanceOf(type);
    }

    /** The string values and field names of a body, if it is JSON at all. */
    private record BodyText(List<String> values, List<String> names) {

        static BodyText of(byte[] body) {
            BodyText text = new BodyText(new ArrayList<>(), new ArrayList<>());
            try {
                text.collect(lenient.readTree(body));
            } catch (Exception notJson) {
                return new BodyText(List.of(), List.of());
            }
            text.values.removeIf(value -> value.length() < 4 || OWN_WORDS.contains(value));
            return text;
        }

        String withoutNames(String message) {
            String left = message;
            for (String name : names.stream()
                    .sorted(Comparator.comparingInt(String::length).reversed())
                    .toList()) {
                if (!name.isEmpty()) {
                    left = left.replace(name, "\u0000");
                }
            }
            return left;
        }

        private void collect(JsonNode node) {
            if (node == null) {
                return;
            }
            if (node.isTextual()) {
                values.add(node.textValue());
            }
            node.fieldNames().forEachRemaining(names::add);
            node.elements().forEachRemaining(this::collect);
        }
    }
}
